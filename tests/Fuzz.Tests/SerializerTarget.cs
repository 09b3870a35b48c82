using System.Buffers;
using Granary.Grains.Contracts;
using Granary.Grains.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Granary.Fuzz.Tests;

/// <summary>
/// One message type under Orleans's <see cref="Serializer"/> (the one a silo and a client use, built the
/// way they build it: <c>AddSerializer</c> with the contracts' assemblies). It makes valid encodings and
/// decodes bytes with <see cref="Serializer.Deserialize{T}(ReadOnlySpan{byte})"/> or, for the network
/// path's segmented buffers, <see cref="Serializer.Deserialize{T}(ReadOnlySequence{byte})"/>.
/// </summary>
internal abstract class SerializerTarget(string name, long listAllowance)
{
    /// <summary>
    /// Orleans's interface-collection codecs (<c>IReadOnlyList&lt;T&gt;</c> and kin) size the list they decode by a
    /// capacity hint from the wire, capped at 16,384 elements but not by the input's length (Orleans 10.4.2,
    /// <c>InterfaceCollectionCodecHelpers.MaxCapacityHint</c>).
    /// </summary>
    public const int OrleansMaxCapacityHint = 16 * 1024;

    private static readonly ServiceProvider Services = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(AcquireTokens).Assembly).AddAssembly(typeof(ClientBucketState).Assembly))
        .BuildServiceProvider();

    /// <summary>The serializer every target uses.</summary>
    public static Serializer Serializer { get; } = Services.GetRequiredService<Serializer>();

    public string Name { get; } = name;

    /// <summary>
    /// Bytes a decode may allocate beyond the fuzzers' proportional budget: what Orleans's capacity hint
    /// allows for this message's <c>IReadOnlyList</c> fields (0 for messages without one). A known
    /// disproportion of Orleans, allowed here by name and pinned by <see cref="OrleansSerializerFindingsTests"/>.
    /// </summary>
    public long ListAllowance { get; } = listAllowance;

    /// <summary>The most a list of <typeparamref name="TElement"/> sized by Orleans's capacity hint can take: 16,384 elements plus the array and list objects.</summary>
    public static long CapacityHintAllowance<TElement>() =>
        (long)OrleansMaxCapacityHint * (typeof(TElement).IsValueType ? System.Runtime.CompilerServices.Unsafe.SizeOf<TElement>() : IntPtr.Size) + 256;

    /// <summary>The message type.</summary>
    public abstract Type Type { get; }

    public static SerializerTarget Of<T>(string name, Generator<T> generate, Func<T, T, bool>? equal = null, long listAllowance = 0) =>
        new SerializerTarget<T>(name, generate, equal ?? EqualityComparer<T>.Default.Equals, listAllowance);

    /// <summary>A new random valid value, boxed.</summary>
    public abstract object Generate(ref FuzzRandom random);

    /// <summary>Encodes a value (null too: the wire has a null for reference types).</summary>
    public abstract byte[] Encode(object? value);

    /// <summary>Decodes contiguous bytes (null is a valid answer for a record class); throws what Orleans throws.</summary>
    public abstract object? Decode(ReadOnlySpan<byte> bytes);

    /// <summary>Decodes a segmented buffer; throws what Orleans throws.</summary>
    public abstract object? Decode(ReadOnlySequence<byte> bytes);

    /// <summary>Value equality (element-wise for the lists inside a message; two nulls are equal).</summary>
    public abstract bool Equal(object? a, object? b);

    /// <summary>A random valid value's encoding.</summary>
    public byte[] ValidEncoding(ref FuzzRandom random) => Encode(Generate(ref random));
}

/// <summary>The target of message type <typeparamref name="T"/>.</summary>
internal sealed class SerializerTarget<T>(string name, Generator<T> generate, Func<T, T, bool> equal, long listAllowance) : SerializerTarget(name, listAllowance)
{
    public override Type Type => typeof(T);

    public override object Generate(ref FuzzRandom random) => generate(ref random)!;

    public override byte[] Encode(object? value) => Serializer.SerializeToArray((T?)value);

    public override object? Decode(ReadOnlySpan<byte> bytes) => Serializer.Deserialize<T>(bytes);

    public override object? Decode(ReadOnlySequence<byte> bytes) => Serializer.Deserialize<T>(bytes);

    public override bool Equal(object? a, object? b) => a is null || b is null ? a is null && b is null : equal((T)a, (T)b);
}
