using System.Globalization;
using System.Text;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Random admin request bodies: mostly objects with the real field names and hostile values
/// (wrong types, edge numbers, escapes, duplicates, deep nesting), then byte-level mutations.
/// </summary>
internal static class JsonSamples
{
    private static readonly string[] Fields = ["client_id", "capacity", "rate_per_sec", "client_id", "capacity", "rate_per_sec", "Client_Id", "", "extra", "capacity\u0000", "\\u0063apacity"];

    private static readonly string[] Numbers =
    [
        "0", "1", "-1", "1.0", "1e3", "1E3", "1e309", "-1e309", "1e-400", "100.5", "-0", "-0.0", "0.1", "1000000000", "1000000001",
        "1000000000.0", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "123456789012345678901234567890", "1e9", "1.0000000000000002e9", "5e-324", "01", "1.", ".5", "+1", "0x10", "NaN", "Infinity", "1e", "--1",
    ];

    private static readonly string[] Strings =
    [
        "\"a\"", "\"\"", "\"client-1\"", "\"a.b_c:d@e-f\"", "\"with space\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"ü\"", "\"😀\"",
        "\"\\\"\"", "\"a/b\"", "\"%2F\"", "\"\\n\"", "\"12\"", "\"1e3\"", "\"" + new string('x', 128) + "\"", "\"" + new string('x', 129) + "\"",
        "\"unterminated", "\"\\x41\"", "'single'",
    ];

    private static readonly string[] Literals = ["true", "false", "null", "[]", "{}", "[1]", "{\"a\":1}", "tru", "nul", "\u00A0"];

    public static string Value(ref FuzzRandom random, int depth = 0)
    {
        switch (random.Next(depth > 3 ? 4 : 6))
        {
            case 0:
                return random.Pick(Numbers);
            case 1:
                return random.Chance(50)
                    ? random.Next(-2, 2_000_000).ToString(CultureInfo.InvariantCulture)
                    : (random.NextDouble() * Math.Pow(10, random.Next(-3, 12))).ToString("R", CultureInfo.InvariantCulture);
            case 2:
                return random.Chance(70) ? random.Pick(Strings) : "\"" + RandomId(ref random) + "\"";
            case 3:
                return random.Pick(Literals);
            case 4:
                return "[" + string.Join(",", Enumerable.Range(0, random.Next(3)).Select(_ => "1")) + "]";
            default:
                return "{\"k\":" + Value(ref random, depth + 1) + "}";
        }
    }

    public static string RandomId(ref FuzzRandom random)
    {
        const string Alphabet = "abcXYZ019._:@-";
        var chars = new char[random.Next(1, random.Chance(90) ? 24 : 140)];
        for (var i = 0; i < chars.Length; i++)
            chars[i] = random.Chance(97) ? Alphabet[random.Next(Alphabet.Length)] : (char)random.Next(0x20, 0x3000);
        return new string(chars);
    }

    /// <summary>A body as text: usually an object of field/value pairs, sometimes another JSON value or deep nesting.</summary>
    public static string Body(ref FuzzRandom random, string? clientId = null)
    {
        switch (random.Next(20))
        {
            case 0:
                return Value(ref random);
            case 1:
            {
                var depth = random.Next(10, 80);
                return new string('[', depth) + new string(']', random.Chance(50) ? depth : depth - 1);
            }
            case 2:
                return string.Concat(Enumerable.Repeat("{\"k\":", random.Next(10, 40))) + "1" + new string('}', random.Next(10, 40));
            default:
            {
                var builder = new StringBuilder("{");
                var count = random.Next(5);
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                        builder.Append(random.Chance(97) ? "," : "");
                    var name = random.Chance(85) ? random.Pick(Fields) : RandomId(ref random);
                    string value;
                    if (name == "client_id" && random.Chance(60))
                        value = "\"" + (clientId ?? RandomId(ref random)) + "\"";
                    else if (name == "capacity" && random.Chance(50))
                        value = random.Next(1, 1000).ToString(CultureInfo.InvariantCulture);
                    else if (name == "rate_per_sec" && random.Chance(50))
                        value = (random.NextDouble() * 100).ToString("R", CultureInfo.InvariantCulture);
                    else
                        value = Value(ref random);
                    builder.Append('"').Append(name).Append("\":").Append(random.Chance(10) ? " \t\n" : "").Append(value);
                }
                if (random.Chance(5))
                    builder.Append(',');
                builder.Append('}');
                if (random.Chance(3))
                    builder.Append(random.Pick(["}", " ", "\n", "x", "{}", "\u0000"]));
                return builder.ToString();
            }
        }
    }

    /// <summary>A body as bytes: a generated body, often mutated at the byte level; sometimes random bytes.</summary>
    public static byte[] BodyBytes(ref FuzzRandom random, string? clientId = null)
    {
        if (random.Chance(5))
            return random.Bytes(64);
        var text = Encoding.UTF8.GetBytes(Body(ref random, clientId));
        return random.Chance(35) ? Mutator.Mutate(ref random, text, Encoding.UTF8.GetBytes(Body(ref random))) : text;
    }
}
