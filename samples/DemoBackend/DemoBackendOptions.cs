namespace Granary.Samples.DemoBackend;

/// <summary>Command-line options of the demo backend.</summary>
/// <param name="Port">TCP port on <see cref="Host"/> (0 picks a free one). Default 5001.</param>
/// <param name="Id">Value of the <c>X-Backend-Id</c> header. Default <c>backend-{port}</c>.</param>
/// <param name="LatencyMs">Fixed latency added to every request except <c>/healthz</c>, in ms. Default 0.</param>
public sealed record DemoBackendOptions(int Port, string Id, int LatencyMs)
{
    /// <summary>Bind address: an IP address, <c>localhost</c>, or <c>*</c> / <c>0.0.0.0</c> for all interfaces (containers). Default <c>127.0.0.1</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The address a <c>--host</c> value names: an IP address, <c>localhost</c>, or <c>*</c> (all interfaces).</summary>
    /// <exception cref="ArgumentException"><paramref name="host"/> is none of those forms.</exception>
    public static System.Net.IPAddress ParseHost(string host) => host switch
    {
        "localhost" => System.Net.IPAddress.Loopback,
        "*" or "+" => System.Net.IPAddress.Any,
        _ => System.Net.IPAddress.TryParse(host, out var ip) ? ip : throw new ArgumentException($"--host must be an IP address, 'localhost' or '*', got '{host}'."),
    };

    /// <summary>Reads <c>--host</c>, <c>--port</c>, <c>--id</c>, <c>--latency-ms</c> (also <c>--key=value</c>) from <paramref name="args"/>.</summary>
    /// <exception cref="ArgumentException">Unknown option or a value out of range.</exception>
    public static DemoBackendOptions Parse(IReadOnlyList<string> args)
    {
        var port = 5001;
        var host = "127.0.0.1";
        string? id = null;
        var latency = 0;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? value = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                value = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Next() => value ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value."));

            switch (arg)
            {
                case "--host":
                    host = Next();
                    break;
                case "--port":
                    port = ParseInt(arg, Next(), 0, 65535);
                    break;
                case "--id":
                    id = Next();
                    break;
                case "--latency-ms":
                    latency = ParseInt(arg, Next(), 0, 600_000);
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{arg}'. Options: --host ADDRESS, --port N, --id NAME, --latency-ms N.");
            }
        }

        _ = ParseHost(host);
        return new DemoBackendOptions(port, string.IsNullOrWhiteSpace(id) ? $"backend-{port}" : id, latency) { Host = host };
    }

    private static int ParseInt(string name, string text, int min, int max) =>
        int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"{name} must be an integer in [{min}, {max}], got '{text}'.");
}
