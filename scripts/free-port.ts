#!/usr/bin/env -S node --import tsx
// The talk's get_free_port.py: prints a TCP port nobody listens on, for running a
// whole stack on free ports: API_PORT=$(scripts/free-port.ts) POSTGRES_PORT=$(scripts/free-port.ts) make run check
import { freePort } from '../tools/free-port.js';

console.log(await freePort());
