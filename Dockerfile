# Three stages from one base: `development` (all dependencies, sources mounted by
# docker-compose.override.yml, reload + inspector), `build` (compiles TypeScript),
# and the final runtime image: compiled code, production dependencies, no npm in
# front of node (so SIGTERM reaches the service), a non-root user.
# No `# syntax=` line: BuildKit would pull that frontend image first, which fails
# where no registry answers; the built-in frontend has all this file uses.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

FROM base AS development
COPY package.json package-lock.json ./
# npm ci's postinstall applies patches/ (patch-package) to node_modules.
COPY patches ./patches
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
ENV HOST=0.0.0.0 API_PORT=8080 DEBUG_PORT=9229
EXPOSE 8080 9229
# As the runtime image: the image's non-root user. What it writes, it writes in
# .data/ (the reloader's builds); the sources are mounted read-only and the
# dependencies stay root's.
RUN mkdir .data && chown node:node .data
USER node
# The dev entry with POSTGRES_HOST set (compose sets it) starts no database of its own.
CMD ["sh", "-c", "exec node --inspect=0.0.0.0:${DEBUG_PORT} --import tsx src/dev/start.ts --watch"]

FROM development AS build
USER root
COPY tsconfig.build.json ./
RUN npm run build

FROM base AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 API_PORT=8080
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev && npm cache clean --force
COPY migrations ./migrations
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.API_PORT}/`).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/process/server.js"]
