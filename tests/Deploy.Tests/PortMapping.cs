using System.Globalization;

namespace Granary.Deploy.Tests;

/// <summary>
/// One entry of a compose service's <c>ports</c> in the short syntax <c>[IP:][HOST[-HOST]:]CONTAINER[/PROTO]</c>, read after
/// compose's variable interpolation (<c>${VAR:-default}</c>, <c>${VAR}</c>, <c>$VAR</c>; an unset variable without a default is empty).
/// </summary>
/// <param name="HostIp">The host address it is published on; null for every address.</param>
/// <param name="HostFirst">The first host port; null when not published (the engine picks one).</param>
/// <param name="HostLast">The last host port of a range (= <paramref name="HostFirst"/> for one port).</param>
/// <param name="ContainerPort">The port in the container.</param>
/// <param name="Text">The entry as written, variables included.</param>
internal sealed record PortMapping(string? HostIp, int? HostFirst, int? HostLast, int ContainerPort, string Text)
{
    /// <summary>The variables the entry uses, in order.</summary>
    public IReadOnlyList<Interpolation.Reference> Variables { get; init; } = [];

    public bool IsPublished => HostFirst is not null;

    public int HostPortCount => IsPublished ? HostLast!.Value - HostFirst!.Value + 1 : 0;

    public bool Overlaps(PortMapping other) =>
        IsPublished && other.IsPublished && HostFirst <= other.HostLast && other.HostFirst <= HostLast;

    /// <param name="text">The entry as written.</param>
    /// <param name="environment">The variables set (compose's shell environment and .env); none when null, so defaults apply.</param>
    /// <exception cref="FormatException">Not the short syntax, a port outside 1–65535, or a <c>${VAR:?message}</c> with VAR unset.</exception>
    public static PortMapping Parse(string text, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new List<Interpolation.Reference>();
        var interpolated = Interpolation.Substitute(text, v => environment?.GetValueOrDefault(v), Interpolation.Escapes.Compose, variables);
        var mapping = ParseInterpolated(interpolated, interpolated == text ? text : $"{text}' ('{interpolated}");
        return mapping with { Text = text, Variables = variables };
    }

    private static PortMapping ParseInterpolated(string spec, string text)
    {
        spec = spec.Split('/')[0];
        var parts = spec.Split(':');
        var (ip, host, container) = parts.Length switch
        {
            1 => ((string?)null, (string?)null, parts[0]),
            2 => (null, parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => throw new FormatException($"Port '{text}' is not [IP:][HOST:]CONTAINER."),
        };
        if (container.Contains('-', StringComparison.Ordinal))
            throw new FormatException($"Port '{text}': a container port range is not used by Granary's services.");
        int? first = null, last = null;
        if (!string.IsNullOrEmpty(host))
        {
            var dash = host.IndexOf('-', StringComparison.Ordinal);
            first = Port(dash < 0 ? host : host[..dash], text);
            last = dash < 0 ? first : Port(host[(dash + 1)..], text);
            if (last < first) throw new FormatException($"Port '{text}': the host range is reversed.");
        }
        return new PortMapping(ip, first, last, Port(container, text), text);
    }

    private static int Port(string value, string text) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
            ? p
            : throw new FormatException($"Port '{text}': '{value}' is not a port 1–65535.");
}
