# Granary gateway: YARP reverse proxy + Orleans client (port 8080; /healthz, /metrics). Classic builder syntax: no
# BuildKit needed. Stateless: run as many as you like. From the repository root:
#   docker build -f deploy/gateway.Dockerfile -t granary-gateway .
# Base images are build arguments (defaults: Microsoft's official images): SDK_IMAGE (dotnet publish) and
# RUNTIME_IMAGE (an ASP.NET Core 10 runtime with a non-root user "app"). `--target prebuilt --build-arg APP_DIR=<folder>`
# takes a gateway published outside Docker instead (tests/compose/run.sh). Configuration by environment variables
# (Granary__PostgreSql__ConnectionString, Granary__Tls__*, ReverseProxy__...): see "Deployment" in README.md.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${RUNTIME_IMAGE} AS runtime-base
WORKDIR /app
COPY deploy/healthcheck.sh /usr/local/bin/healthcheck.sh
RUN chmod 755 /usr/local/bin/healthcheck.sh && mkdir -p /certs && chown app:app /certs
# The gateway listens on 8080 on every interface of the container (the health check probes 8080).
ENV ASPNETCORE_HTTP_PORTS="" \
    Granary__Gateway__Urls=http://0.0.0.0:8080
EXPOSE 8080
USER app
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
    CMD healthcheck.sh 8080 /healthz
ENTRYPOINT ["dotnet", "Granary.Gateway.dll"]

# A gateway published outside Docker; built only with --target prebuilt.
FROM runtime-base AS prebuilt
ARG APP_DIR=deploy/prebuilt/none
COPY ${APP_DIR}/ ./

FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
COPY deploy/sql/ deploy/sql/
RUN dotnet publish src/Gateway/Granary.Gateway.csproj -c Release -o /app -p:UseAppHost=false -nologo

# The default target: the gateway built from source above.
FROM runtime-base AS runtime
COPY --from=build /app ./
