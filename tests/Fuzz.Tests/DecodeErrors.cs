using System.Collections.Frozen;
using Orleans.Serialization;

namespace Granary.Fuzz.Tests;

/// <summary>
/// The exceptions Orleans 10.4.2's <see cref="Serializer"/> throws for malformed bytes, found by these
/// fuzzers (seed 20261121 and others, 2026-12-03) and read back in Orleans's source. Orleans does not
/// wrap decode failures in one type: besides its own <see cref="SerializerException"/> family, the
/// reader, the codecs and the type-name resolver let BCL exceptions through. A silo survives all of them
/// (Orleans's message handling catches <see cref="Exception"/> around a body's decode). Anything else —
/// <see cref="NullReferenceException"/>, <see cref="OutOfMemoryException"/>,
/// <see cref="InsufficientExecutionStackException"/>, a <see cref="FileNotFoundException"/> (an
/// assembly probed on disk), … — fails the fuzzers.
/// </summary>
internal static class DecodeErrors
{
    /// <summary>Exact types (not subclasses, except where <see cref="IsExpected"/> says so) and where each comes from.</summary>
    public static readonly FrozenDictionary<Type, string> Expected = new Dictionary<Type, string>
    {
        [typeof(InvalidOperationException)] = "Reader: 'Insufficient data present in buffer'; type-name parser: end of input, unexpected character; a non-constructed generic type; a reference id recorded twice",
        [typeof(IndexOutOfRangeException)] = "Reader: declared length beyond the input; ArrayCodec: more elements than declared; and one unchecked index in RuntimeTypeNameParser.BufferReader.ConsumeWhitespace (a runtime bounds check)",
        [typeof(OverflowException)] = "Reader: a varint longer than its type; checked casts in the codecs (e.g. UInt128 to a smaller integer)",
        [typeof(NotSupportedException)] = "TypeCodec: unknown type-encoding version; a schema type a codec does not support",
        [typeof(KeyNotFoundException)] = "WellKnownTypeCollection.GetWellKnownType: an unknown well-known type id",
        [typeof(FormatException)] = "RuntimeTypeNameParser: a malformed generic arity or array rank in a type name",
        [typeof(InvalidCastException)] = "a field whose wire type names another (resolvable) type than the field's, or a reference to an object of another type",
        [typeof(TypeLoadException)] = "CachedTypeResolver: a type name naming an assembly that is not loaded",
        [typeof(FileLoadException)] = "Type.GetType: an invalid assembly name inside a type name",
        [typeof(MemberAccessException)] = "CodecProvider: a codec for an open generic type (a type name without its arguments)",
    }.ToFrozenDictionary();

    /// <summary>
    /// True when <paramref name="error"/> is one Orleans throws for bad input: a <see cref="SerializerException"/>
    /// (any subclass), an <see cref="ArgumentException"/> (any subclass: out-of-range wire types and
    /// extended wire types, a null type-name buffer in TypeCodec, compound type alias tokens), or one of <see cref="Expected"/>.
    /// </summary>
    public static bool IsExpected(Exception error) =>
        error is SerializerException or ArgumentException || Expected.ContainsKey(error.GetType());
}
