# Granary gateway: YARP reverse proxy + Orleans client (port 8080; /healthz, /metrics). Classic builder syntax. Stateless:
# run as many as you like. Build from the repository root:
#   docker build -f deploy/gateway.Dockerfile -t granary-gateway .
# Configuration by environment variables (Granary__PostgreSql__ConnectionString, Granary__Tls__*, ReverseProxy__...):
# see "Deployment" in README.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
COPY deploy/sql/ deploy/sql/
RUN dotnet publish src/Gateway/Granary.Gateway.csproj -c Release -o /app -p:UseAppHost=false -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
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
