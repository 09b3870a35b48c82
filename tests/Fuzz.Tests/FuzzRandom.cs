namespace Granary.Fuzz.Tests;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", 2014):
/// cheap to seed per iteration and identical on every runtime, so a (seed, iteration) pair
/// names one input forever.
/// </summary>
internal struct FuzzRandom(ulong seed)
{
    private ulong _state = seed;

    public static FuzzRandom ForIteration(long runSeed, long iteration) =>
        new(unchecked(((ulong)runSeed * 0x9E3779B97F4A7C15UL) ^ ((ulong)iteration * 0xD1B54A32D192ED03UL)));

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, maxExclusive); 0 when maxExclusive is 0 or less.</summary>
    public int Next(int maxExclusive) => maxExclusive <= 0 ? 0 : (int)(NextUInt64() % (ulong)maxExclusive);

    /// <summary>Uniform in [min, maxExclusive).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    public bool Chance(int percent) => Next(100) < percent;

    public int NextInt32() => (int)NextUInt64();

    public long NextInt64() => (long)NextUInt64();

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public void NextBytes(Span<byte> buffer)
    {
        foreach (ref var b in buffer)
            b = (byte)NextUInt64();
    }

    public byte[] Bytes(int maxLength)
    {
        var bytes = new byte[Next(maxLength + 1)];
        NextBytes(bytes);
        return bytes;
    }
}
