# Stand-in for postgres:17 where no image registry is reachable (tests/compose/run.sh): Debian bookworm's
# PostgreSQL 15 package on the debootstrap base (BASE_IMAGE), with an entrypoint that honours the official
# image's POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and PGDATA (/var/lib/postgresql/data).
# The context's apt/ folder holds this machine's own apt sources (copied by run.sh, never written here).
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY apt/ /etc/apt/sources.list.d/
RUN rm -f /etc/apt/sources.list \
    && apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/lib/postgresql/15 \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
RUN chmod 755 /usr/local/bin/postgres-entrypoint.sh
ENV PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["postgres-entrypoint.sh"]
