// Production process entry (node dist/process/server.js, the image's command): the
// production service (production.ts), its start's failure said in one line.
import { startProductionService } from './production.js';
import { runMain } from './shutdown.js';

runMain('failed to start', () => startProductionService());
