using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary>Scalar functions: IS_DEFINED, STARTSWITH/ENDSWITH, type checks, string and math functions.</summary>
public sealed class FunctionTests
{
    private static readonly JsonObject Device = Twin("Sensor-42",
        tags: """{"cave":"CheeseCave1","n":-2.5,"text":"12.5","nothing":null,"obj":{},"arr":[],"yes":true}""");

    private static JsonNode? Value(string expression)
    {
        var row = Run($"SELECT {expression} AS v FROM devices", Device).Items.Single();
        return row.AsObject().TryGetPropertyValue("v", out var value) ? value : JsonValue.Create("UNDEFINED");
    }

    [Theory]
    [InlineData("STARTSWITH(deviceId, 'Sensor')", true)]
    [InlineData("STARTSWITH(deviceId, 'sensor')", false)]
    [InlineData("startswith(deviceId, 'Sens')", true)]
    [InlineData("ENDSWITH(deviceId, '-42')", true)]
    [InlineData("ENDSWITH(deviceId, '42 ')", false)]
    [InlineData("CONTAINS(tags.cave, 'Cave')", true)]
    [InlineData("CONTAINS(tags.cave, 'cave')", false)]
    [InlineData("IS_DEFINED(tags.nothing)", true)]
    [InlineData("IS_DEFINED(tags.missing)", false)]
    [InlineData("IS_NULL(tags.nothing)", true)]
    [InlineData("IS_NULL(tags.missing)", false)]
    [InlineData("IS_BOOL(tags.yes)", true)]
    [InlineData("IS_NUMBER(tags.n)", true)]
    [InlineData("IS_NUMBER(tags.text)", false)]
    [InlineData("IS_STRING(tags.text)", true)]
    [InlineData("IS_OBJECT(tags.obj)", true)]
    [InlineData("IS_ARRAY(tags.arr)", true)]
    [InlineData("IS_PRIMITIVE(tags.nothing)", true)]
    [InlineData("IS_PRIMITIVE(tags.obj)", false)]
    [InlineData("IS_PRIMITIVE(tags.missing)", false)]
    public void Predicates(string call, bool expected)
    {
        Assert.Equal(expected, (bool)Value(call)!);
        Assert.Equal(expected ? ["Sensor-42"] : [], Matching($"SELECT * FROM devices WHERE {call}", Device));
    }

    [Theory]
    [InlineData("LOWER(deviceId)", "\"sensor-42\"")]
    [InlineData("UPPER(tags.cave)", "\"CHEESECAVE1\"")]
    [InlineData("LENGTH(deviceId)", "9")]
    [InlineData("CONCAT(deviceId, '/', tags.cave)", "\"Sensor-42/CheeseCave1\"")]
    [InlineData("SUBSTRING(deviceId, 7, 2)", "\"42\"")]
    [InlineData("SUBSTRING(deviceId, 7, 100)", "\"42\"")]
    [InlineData("SUBSTRING(deviceId, -5, 3)", "\"Sen\"")]
    [InlineData("INDEX_OF(deviceId, '-')", "6")]
    [InlineData("INDEX_OF(deviceId, 'x')", "-1")]
    [InlineData("AS_NUMBER(tags.text)", "12.5")]
    [InlineData("ABS(tags.n)", "2.5")]
    [InlineData("CEILING(tags.n)", "-2")]
    [InlineData("FLOOR(tags.n)", "-3")]
    [InlineData("SIGN(tags.n)", "-1")]
    [InlineData("SQUARE(tags.n)", "6.25")]
    [InlineData("POWER(2, 10)", "1024")]
    [InlineData("SQRT(16)", "4")]
    [InlineData("EXP(0)", "1")]
    public void Computations(string call, string expectedJson)
    {
        Assert.Equal(expectedJson, Value(call)!.ToJsonString());
    }

    [Theory]
    [InlineData("LOWER(tags.n)")]
    [InlineData("LENGTH(tags.missing)")]
    [InlineData("CONCAT(deviceId, 1)")]
    [InlineData("ABS(tags.text)")]
    [InlineData("AS_NUMBER(deviceId)")]
    [InlineData("SQRT(-1)")]
    [InlineData("STARTSWITH(tags.n, 'x')")]
    public void Wrong_argument_types_give_undefined(string call)
    {
        Assert.Equal("\"UNDEFINED\"", Value(call)!.ToJsonString());
        Assert.Empty(Matching($"SELECT * FROM devices WHERE {call} = {call}", Device));
    }

    [Theory]
    [InlineData("STARTS_WITH(deviceId, 'x')", "STARTSWITH")]
    [InlineData("ends_with(deviceId, 'x')", "ENDSWITH")]
    public void Underscore_spellings_are_rejected_like_the_real_hub(string call, string hint)
    {
        var error = Assert.Throws<QuerySemanticException>(() => QueryParser.Parse($"SELECT * FROM devices WHERE {call}"));

        Assert.Contains(hint, error.Message);
        Assert.Equal(29, error.Position);
    }

    [Theory]
    [InlineData("STARTSWITH(deviceId)", "STARTSWITH takes 2 arguments, found 1")]
    [InlineData("IS_DEFINED()", "IS_DEFINED takes 1 argument, found 0")]
    [InlineData("CONCAT('a')", "CONCAT takes at least 2 arguments, found 1")]
    [InlineData("SUM(tags.n, 1) = 1", "SUM takes 1 argument, found 2")]
    public void Wrong_argument_counts_are_semantic_errors(string condition, string message)
    {
        var error = Assert.Throws<QuerySemanticException>(() => QueryParser.Parse($"SELECT * FROM devices WHERE {condition}"));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Unknown_function_names_the_function_and_its_position()
    {
        var error = Assert.Throws<QuerySemanticException>(() => QueryParser.Parse("SELECT * FROM devices WHERE FOO(tags.x)"));

        Assert.Equal(29, error.Position);
        Assert.Equal("FOO", error.Token);
        Assert.Contains("unknown function 'FOO'", error.Message);
        Assert.Contains("IS_DEFINED", error.Message);
    }
}
