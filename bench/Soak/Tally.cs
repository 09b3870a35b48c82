using System.Collections.Concurrent;

namespace Granary.Bench.Soak;

/// <summary>Every client request's outcome, by kind, with a few examples of each failure kind.</summary>
internal sealed class Tally
{
    /// <summary>The kinds, in report order. Violations: non-JSON errors, resets not explained by a SIGKILLed gateway, timeouts, refused everywhere.</summary>
    public static readonly string[] Kinds = ["200", "429", "json-error", "non-json", "reset", "reset-killed-gw", "timeout", "refused", "rerouted"];

    private static readonly HashSet<string> Violations = ["non-json", "reset", "timeout", "refused"];

    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _examples = new();
    private readonly ConcurrentDictionary<string, long> _okByClient = new();
    private readonly ConcurrentDictionary<int, long> _jsonByStatus = new();

    public void Add(string kind, string? example = null)
    {
        _counts.AddOrUpdate(kind, 1, (_, c) => c + 1);
        if (example is null)
            return;
        var q = _examples.GetOrAdd(kind, _ => new ConcurrentQueue<string>());
        if (q.Count < 5)
            q.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {example}");
    }

    public void Ok(string clientId) => _okByClient.AddOrUpdate(clientId, 1, (_, c) => c + 1);

    public void JsonError(int status) => _jsonByStatus.AddOrUpdate(status, 1, (_, c) => c + 1);

    public long this[string kind] => _counts.GetValueOrDefault(kind);
    public long OkFor(string clientId) => _okByClient.GetValueOrDefault(clientId);

    /// <summary>Answered requests (200, 429, JSON errors) plus violations; rerouted attempts are not requests.</summary>
    public long Requests => Kinds.Where(k => k != "rerouted").Sum(k => this[k]);
    public long ViolationCount => Violations.Sum(k => this[k]);

    public IReadOnlyDictionary<string, long> Snapshot() => Kinds.ToDictionary(k => k, k => this[k]);

    public string JsonByStatus => string.Join(", ", _jsonByStatus.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}×{kv.Value}"));

    public IEnumerable<(string Kind, string Example)> Examples() =>
        _examples.OrderBy(kv => kv.Key).SelectMany(kv => kv.Value.Select(e => (kv.Key, e)));

    public static bool IsViolation(string kind) => Violations.Contains(kind);

    public static string Line(IReadOnlyDictionary<string, long> now, IReadOnlyDictionary<string, long>? before = null) =>
        string.Join("  ", Kinds.Select(k => $"{k} {now[k] - (before?[k] ?? 0)}"));
}
