# PostgreSQL for docker-compose.yml: the official image, named by a build argument so that a stand-in can be
# used where Docker Hub is out of reach (tests/compose/run.sh passes one made from Debian's package). The image
# must honour the official image's POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB, keep its data in
# /var/lib/postgresql/data and have pg_isready on the PATH (the compose health check).
ARG POSTGRES_IMAGE=postgres:17
FROM ${POSTGRES_IMAGE}
