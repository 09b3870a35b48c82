using System.Buffers;
using System.Globalization;

namespace Granary.Fuzz.Tests;

/// <summary>
/// The properties every decode must keep, whatever the bytes: it answers or throws one of
/// <see cref="DecodeErrors"/>; it allocates at most <see cref="PerInputByte"/> × input + <see cref="FixedBudget"/>
/// (+ the target's <see cref="SerializerTarget.ListAllowance"/>, + <see cref="PerLoadedAssembly"/> × loaded assemblies); the segmented decode keeps the same properties and,
/// when both answer, answers the same value; and a decoded value re-encodes to a value equal to it.
/// </summary>
internal static class DecodeCheck
{
    /// <summary>Bytes any decode may allocate whatever its input (sessions, an exception and its stack trace).</summary>
    public const long FixedBudget = 64 * 1024;

    /// <summary>Bytes a decode may allocate per input byte.</summary>
    public const long PerInputByte = 64;

    /// <summary>
    /// Bytes a decode may allocate per assembly loaded in the process. A type name on the wire that does not resolve
    /// (a mutated one) is looked up in every loaded assembly by Orleans 10.4.2's <c>CachedTypeResolver</c>, which caches
    /// hits only, and each <c>Assembly.GetType</c> miss parses the name again: measured here at 146–722 B per assembly
    /// for names of 15–300 characters. So the same bytes cost more in a process that has loaded more assemblies
    /// (169 after the admin HTTP fuzz has started ASP.NET Core, about 100 without), which is why the budget counts them.
    /// A generic name (<c>System.Collections.Generic.List`1[[granary.BackendSample]]</c>) is looked up as its definition
    /// and as each argument, so it costs more: a 360-byte mutated <c>BackendDetails</c> naming two such types allocated
    /// 788,008 B with 96 assemblies loaded, 76 KB over the lists' allowance plus 1 KiB per assembly. Hence 2 KiB.
    /// </summary>
    public const long PerLoadedAssembly = 2048;

    public static void Check(SerializerTarget target, byte[] input, ref FuzzRandom random, DecodeTally tally)
    {
        var whole = Decode(target, input, sequence: null, tally);
        var split = Segments.Split(ref random, input, out var note);
        var segmented = Decode(target, input, split, tally);
        // When both answer, the values agree. One may throw where the other answers: Orleans 10.4.2's varint fast
        // path rejects an over-long varint (over 5 bytes for 32 bits: OverflowException) that its slow path, taken
        // across a segment boundary or near the end of the input, accepts when the value fits (Reader.ReadVarUInt32Slow).
        // That is counted (DecodeTally.ReaderDisagreements), not failed: both outcomes are safe. Exception types may differ too.
        if (whole.Error is null && segmented.Error is null && !target.Equal(whole.Value, segmented.Value))
            throw new FuzzPropertyException($"{target.Name}: contiguous and segmented ({note}) decodes answer differently: {whole} vs {segmented}");
        if ((whole.Error is null) != (segmented.Error is null))
            tally.ReaderDisagreements++;
        if (whole.Error is not null)
        {
            tally.Thrown(whole.Error);
            return;
        }
        tally.Decoded++;
        var again = target.Decode(target.Encode(whole.Value));
        if (!target.Equal(whole.Value, again))
            throw new FuzzPropertyException($"{target.Name}: decoding is not stable: {whole.Value} re-encoded decodes as {again}");
    }

    /// <summary>Decodes once (contiguous when <paramref name="sequence"/> is null), checking the exception type and the allocation.</summary>
    private static Outcome Decode(SerializerTarget target, byte[] input, ReadOnlySequence<byte>? sequence, DecodeTally tally)
    {
        var budget = FixedBudget + PerInputByte * input.Length + target.ListAllowance;
        var (outcome, allocated) = Measure(target, input, sequence);
        var loaded = 0;
        if (allocated > budget)
        {
            loaded = AppDomain.CurrentDomain.GetAssemblies().Length;
            budget += PerLoadedAssembly * loaded;
        }
        if (allocated > budget)
        {
            // A type named on the wire for the first time fills Orleans's resolver and codec caches once;
            // the same input decoded again shows what the input itself costs.
            (outcome, allocated) = Measure(target, input, sequence);
            if (allocated > budget)
                throw new FuzzPropertyException(string.Create(CultureInfo.InvariantCulture,
                    $"{target.Name}: decoding {input.Length} bytes allocated {allocated} bytes twice running (budget {budget}, {loaded} assemblies loaded): {outcome}"));
            tally.CacheFills++;
        }
        if (outcome.Error is { } error && !DecodeErrors.IsExpected(error))
            throw new FuzzPropertyException($"{target.Name}: unexpected {error.GetType().FullName}: {error.Message}\n{error.StackTrace}");
        return outcome;
    }

    private static (Outcome Outcome, long Allocated) Measure(SerializerTarget target, byte[] input, ReadOnlySequence<byte>? sequence)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Outcome outcome;
        try
        {
            outcome = new Outcome(sequence is { } s ? target.Decode(s) : target.Decode(input), null);
        }
        catch (Exception e) when (e is not FuzzPropertyException)
        {
            outcome = new Outcome(null, e);
        }
        return (outcome, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private sealed record Outcome(object? Value, Exception? Error)
    {
        public override string ToString() => Error is null ? $"decoded {Value ?? "null"}" : $"{Error.GetType().Name}: {Error.Message}";
    }
}
