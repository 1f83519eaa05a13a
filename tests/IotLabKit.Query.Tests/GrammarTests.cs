using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary>Literals, names, paths and operators: what the parser accepts and what it means.</summary>
public sealed class GrammarTests
{
    private static readonly JsonObject D1 = Twin("d1",
        tags: """
            {"name":"O'Brien","quote":"say \"hi\"","path":"C:\\temp","accent":"été","n":31,"ratio":1.5,"big":150,"neg":-3,
             "flag":true,"off":false,"nothing":null,"group":"g1","chiller-water":{"temp":8},"Case":"upper"}
            """,
        reported: """{"temp":21.0,"$metadata":{}}""");

    private static readonly JsonObject D2 = Twin("d2", tags: """{"name":"Smith","n":32,"flag":false}""", reported: """{"temp":40}""");

    private static string[] Where(string condition) => Matching($"SELECT * FROM devices WHERE {condition}", D1, D2);

    [Theory]
    [InlineData(@"tags.name = 'O\'Brien'")]
    [InlineData(@"tags.name = ""O'Brien""")]
    [InlineData(@"tags.quote = 'say \""hi\""'")]
    [InlineData(@"tags.quote = ""say \""hi\""""")]
    [InlineData(@"tags.path = 'C:\\temp'")]
    [InlineData(@"tags.accent = '\u00e9t\u00E9'")]
    [InlineData(@"tags.accent = 'été'")]
    [InlineData(@"tags.name = 'O\u0027Brien'")]
    public void String_literals_in_either_quote_with_escapes(string condition)
    {
        Assert.Equal(["d1"], Where(condition));
    }

    [Fact]
    public void Control_escapes_decode()
    {
        var result = Run(@"SELECT CONCAT('a\tb', ""\n"", '\/\b\f\r') AS s FROM devices", D1);

        Assert.Equal("a\tb\n/\b\f\r", (string)result.Items[0]["s"]!);
    }

    [Theory]
    [InlineData("tags.n = 0x1F")]
    [InlineData("tags.n = 0x1f")]
    [InlineData("tags.n = 31.0")]
    [InlineData("tags.n = 3.1e1")]
    [InlineData("tags.big = 1.5E+2")]
    [InlineData("tags.ratio = 15e-1")]
    [InlineData("tags.neg = -3")]
    [InlineData("tags.neg = -0x3")]
    [InlineData("-tags.neg = 3")]
    [InlineData("+tags.n = 31")]
    public void Number_literals_decimal_hex_exponent_and_sign(string condition)
    {
        Assert.Equal(["d1"], Where(condition));
    }

    [Theory]
    [InlineData("tags.flag = true", new[] { "d1" })]
    [InlineData("tags.flag = FALSE", new[] { "d2" })]
    [InlineData("tags.nothing = null", new[] { "d1" })]
    [InlineData("tags.flag", new[] { "d1" })]
    [InlineData("true", new[] { "d1", "d2" })]
    [InlineData("false", new string[0])]
    [InlineData("undefined", new string[0])]
    [InlineData("tags.flag = undefined", new string[0])]
    public void Boolean_null_and_undefined_literals(string condition, string[] expected)
    {
        Assert.Equal(expected, Where(condition));
    }

    [Theory]
    [InlineData("tags.n + 1 = 32")]
    [InlineData("tags.n - 1 = 30")]
    [InlineData("tags.n * 2 = 62")]
    [InlineData("tags.n / 2 = 15.5")]
    [InlineData("tags.n % 7 = 3")]
    [InlineData("2 + 3 * 4 = 14 AND tags.n = 31")]
    [InlineData("(2 + 3) * 4 = 20 AND tags.n = 31")]
    [InlineData("10 - 4 - 3 = 3 AND tags.n = 31")]
    [InlineData("24 / 4 / 2 = 3 AND tags.n = 31")]
    [InlineData("properties.reported.temp * 2 + 1 < 50")]
    public void Arithmetic_with_precedence_and_left_associativity(string condition)
    {
        Assert.Equal(["d1"], Where(condition));
    }

    [Theory]
    [InlineData("tags.n / 0 = 1")]
    [InlineData("tags.n % 0 = 1")]
    [InlineData("tags.name + 1 = 1")]
    [InlineData("NOT (tags.n / 0 = 1)")]
    public void Arithmetic_on_non_numbers_or_by_zero_is_undefined(string condition)
    {
        Assert.Empty(Where(condition));
    }

    [Fact]
    public void Keywords_and_collection_names_are_case_insensitive()
    {
        Assert.Equal(["d1"], Matching("sElEcT * FrOm DEVICES wHeRe tags.n = 31 AnD NoT tags.flag = FaLsE", D1, D2));
    }

    [Fact]
    public void Logical_precedence_is_not_then_and_then_or()
    {
        // Parsed as (tags.n = 31 AND tags.flag = true) OR (deviceId = 'd2'): both match.
        Assert.Equal(["d1", "d2"], Where("tags.n = 31 AND tags.flag = true OR deviceId = 'd2'"));

        // Parsed as tags.n = 32 AND (NOT tags.flag = true): only d2.
        Assert.Equal(["d2"], Where("tags.n = 32 AND NOT tags.flag = true"));
        Assert.Equal(["d1"], Where("NOT NOT tags.flag"));
    }

    [Fact]
    public void Bracketed_names_reach_reserved_words_and_special_characters()
    {
        Assert.Equal(["d1"], Where("tags.[[group]] = 'g1'"));
        Assert.Equal(["d1"], Where("tags.[[chiller-water]].temp = 8"));
        Assert.Equal(["d1"], Where("[[tags]].[[n]] = 31"));
    }

    [Fact]
    public void Metadata_and_version_paths()
    {
        Assert.Equal(["d1", "d2"], Where("properties.desired.$version = 1 AND properties.reported.$version = 3"));
        Assert.Equal(["d1", "d2"], Where("properties.reported.$metadata.$lastUpdated > '2024-01-01'"));
        Assert.Equal(["d1", "d2"], Where("properties.desired.$metadata.$lastUpdatedVersion = 1"));

        var result = Run("SELECT properties.desired.$version, properties.reported.$metadata.$lastUpdated AS updated FROM devices", D2);
        Assert.Equal("""[{"$version":1,"updated":"2024-05-01T10:00:00.0000000Z"}]""", Json(result));
    }

    [Fact]
    public void Root_identity_names_are_case_insensitive_but_nested_names_are_not()
    {
        Assert.Equal(["d2"], Where("DEVICEID = 'd2'"));
        Assert.Equal(["d1"], Where("Tags.n = 31"));
        Assert.Empty(Where("tags.N = 31"));
        Assert.Equal(["d1"], Where("tags.Case = 'upper'"));
        Assert.Empty(Where("tags.case = 'upper'"));
    }

    [Fact]
    public void Collection_prefix_on_paths_is_accepted()
    {
        Assert.Equal(["d2"], Where("devices.deviceId = 'd2'"));
        Assert.Equal(["d1"], Where("devices.tags.n = 31"));
    }

    [Fact]
    public void Whitespace_and_line_breaks_are_insignificant()
    {
        Assert.Equal(["d1"], Matching("SELECT\n\t*\r\nFROM   devices\nWHERE\ttags.n=31", D1, D2));
    }

    [Theory]
    [InlineData("tags.n <> 31", new[] { "d2" })]
    [InlineData("tags.n != 31", new[] { "d2" })]
    [InlineData("tags.n < 32", new[] { "d1" })]
    [InlineData("tags.n <= 32", new[] { "d1", "d2" })]
    [InlineData("tags.n > 31", new[] { "d2" })]
    [InlineData("tags.n >= 31", new[] { "d1", "d2" })]
    public void Comparison_operators(string condition, string[] expected)
    {
        Assert.Equal(expected, Where(condition));
    }

    [Fact]
    public void Top_accepts_hex_and_zero()
    {
        Assert.Single(Run("SELECT TOP 0x1 * FROM devices", D1, D2).Items);
        Assert.Empty(Run("SELECT TOP 0 * FROM devices", D1, D2).Items);
    }

    [Fact]
    public void Count_star_means_count()
    {
        Assert.Equal("""[{"n":2}]""", Json(Run("SELECT COUNT(*) AS n FROM devices", D1, D2)));
    }
}
