using System.Text;
using Granary.Runtime.Catalog;
using Granary.Runtime.Messaging;
using Granary.Runtime.Serialization;

namespace Granary.Runtime.Tests.Catalog;

public sealed class GrainIdComparerTests
{
    private static readonly GrainIdComparer Comparer = GrainIdComparer.Instance;

    private static bool EqualsUtf8(GrainId id, string type, string key) =>
        Comparer.Equals(new Utf8GrainId(Encoding.UTF8.GetBytes(type), Encoding.UTF8.GetBytes(key)), id);

    private static int HashUtf8(string type, string key) =>
        Comparer.GetHashCode(new Utf8GrainId(Encoding.UTF8.GetBytes(type), Encoding.UTF8.GetBytes(key)));

    [Theory]
    [InlineData("client", "user-1")]
    [InlineData("client", "ключ-é")]
    [InlineData("backend", "emoji-😀-x")]
    [InlineData("a", "b")]
    public void Equals_Utf8OfSameId_EqualWithSameHash(string type, string key)
    {
        var id = new GrainId(type, key);

        Assert.True(EqualsUtf8(id, type, key));
        Assert.Equal(Comparer.GetHashCode(id), HashUtf8(type, key));
        Assert.Equal(id, Comparer.Create(new Utf8GrainId(Encoding.UTF8.GetBytes(type), Encoding.UTF8.GetBytes(key))));
    }

    [Theory]
    [InlineData("client", "user-2")]
    [InlineData("client", "user-10")]
    [InlineData("client", "user-")]
    [InlineData("clien", "tuser-1")]
    [InlineData("backend", "user-1")]
    [InlineData("client", "usér-1")]
    public void Equals_Utf8OfOtherId_NotEqual(string type, string key)
    {
        var id = new GrainId("client", "user-1");

        Assert.False(EqualsUtf8(id, type, key));
    }

    [Fact]
    public void Equals_NonAsciiKeysThatDiffer_NotEqual()
    {
        var id = new GrainId("client", "ключ-é");

        Assert.False(EqualsUtf8(id, "client", "ключ-è"));
        Assert.False(EqualsUtf8(id, "client", "ключ-éé"));
        Assert.True(Comparer.Equals(id, new GrainId("client", "ключ-é")));
        Assert.False(Comparer.Equals(id, new GrainId("client", "ключ-e")));
    }

    [Fact]
    public void Equals_KeyWithLoneSurrogate_EqualsNoBytes()
    {
        // Encoding.UTF8 writes U+FFFD for the lone surrogate; those bytes must not find this id.
        var id = new GrainId("client", "a\uD800b");

        Assert.False(EqualsUtf8(id, "client", "a\uFFFDb"));
        Assert.True(Comparer.Equals(id, new GrainId("client", "a\uD800b")));
    }

    [Fact]
    public void Create_InvalidUtf8_ThrowsGrainSerializationException()
    {
        byte[] invalid = [0x61, 0xC3];

        Assert.Throws<GrainSerializationException>(() => Comparer.Create(new Utf8GrainId("client"u8, invalid)));
    }
}
