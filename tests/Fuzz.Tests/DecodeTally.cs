using System.Globalization;

namespace Granary.Fuzz.Tests;

/// <summary>What a decode fuzz run saw (one thread): values decoded, exceptions by type, one-time cache fills.</summary>
internal sealed class DecodeTally
{
    private readonly Dictionary<string, long> _thrown = new(StringComparer.Ordinal);

    public long Decoded { get; set; }

    /// <summary>Decodes over budget the first time only (a newly named type filling Orleans's caches).</summary>
    public long CacheFills { get; set; }

    /// <summary>Inputs one reader (contiguous or segmented) decoded and the other rejected.</summary>
    public long ReaderDisagreements { get; set; }

    public void Thrown(Exception error) => _thrown[error.GetType().Name] = _thrown.GetValueOrDefault(error.GetType().Name) + 1;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Decoded} decoded, {CacheFills} first-decode cache fills, {ReaderDisagreements} contiguous/segmented disagreements; thrown: ") +
        string.Join(", ", _thrown.OrderByDescending(kv => kv.Value).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value}")));
}
