using Granary.Samples.DemoBackend;

if (args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine("""
        Granary demo backend: GET /healthz, GET /mandelbrot?x0=&y0=&x1=&y1=&w=&h=&iter= (PNG tile), any other path: small JSON.
        Every response carries X-Backend-Id.

        Options:
          --host ADDRESS    bind address (default 127.0.0.1; 0.0.0.0 or * = all interfaces, e.g. in a container)
          --port N          port (default 5001; 0 = any free port)
          --id NAME         X-Backend-Id value (default backend-{port})
          --latency-ms N    fixed latency added to every request but /healthz (default 0)
        """);
    return 0;
}

DemoBackendOptions options;
try
{
    options = DemoBackendOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var app = DemoBackendApp.Build(options);
await app.RunAsync();
return 0;
