# Granary demo backend (samples/DemoBackend): GET /healthz, GET /mandelbrot (PNG tiles), any other
# path a small JSON body; every response carries X-Backend-Id. Build from the repository root:
#   docker build -f deploy/backend.Dockerfile -t granary-backend .
# Options are command-line arguments: --host --port --id --latency-ms (default: all interfaces, port 5001).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY samples/DemoBackend/ samples/DemoBackend/
COPY samples/Imaging/ samples/Imaging/
RUN dotnet publish samples/DemoBackend/Granary.Samples.DemoBackend.csproj -c Release -o /app -p:UseAppHost=false -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY deploy/healthcheck.sh /usr/local/bin/healthcheck.sh
RUN chmod 755 /usr/local/bin/healthcheck.sh
ENV ASPNETCORE_HTTP_PORTS=""
EXPOSE 5001
USER app
# Keep the port here and in CMD in step (compose runs every backend on 5001 inside its container).
HEALTHCHECK --interval=5s --timeout=3s --start-period=15s --retries=3 \
    CMD healthcheck.sh 5001 /healthz
ENTRYPOINT ["dotnet", "Granary.Samples.DemoBackend.dll"]
CMD ["--host", "0.0.0.0", "--port", "5001"]
