using System.Text.Json.Nodes;
using static IotLabKit.Query.Tests.TestSupport;

namespace IotLabKit.Query.Tests;

/// <summary>The documented edge cases: types, undefined, null, three-valued logic, IN and NIN.</summary>
public sealed class ValueRuleTests
{
    private static readonly JsonObject Text1 = Twin("text1", tags: """{"floor":"1","s":"B","nothing":null,"obj":{"a":1},"arr":[1,2]}""");
    private static readonly JsonObject Num1 = Twin("num1", tags: """{"floor":1,"s":"a","obj":{"a":1},"arr":[1,2]}""");
    private static readonly JsonObject Bare = Twin("bare");

    private static string[] Where(string condition) => Matching($"SELECT * FROM devices WHERE {condition}", Text1, Num1, Bare);

    [Fact]
    public void Only_boolean_true_satisfies_a_condition()
    {
        var truthy = Twin("t", tags: """{"yes":true,"one":1,"str":"true","obj":{},"nul":null}""");

        Assert.Equal(["t"], Matching("SELECT * FROM devices WHERE tags.yes", truthy));
        Assert.Empty(Matching("SELECT * FROM devices WHERE tags.one", truthy));
        Assert.Empty(Matching("SELECT * FROM devices WHERE tags.str", truthy));
        Assert.Empty(Matching("SELECT * FROM devices WHERE tags.obj", truthy));
        Assert.Empty(Matching("SELECT * FROM devices WHERE tags.nul", truthy));
        Assert.Empty(Matching("SELECT * FROM devices WHERE 'true'", truthy));
    }

    [Fact]
    public void Comparing_different_types_is_undefined_so_neither_equal_nor_unequal()
    {
        Assert.Equal(["num1"], Where("tags.floor = 1"));
        Assert.Equal(["text1"], Where("tags.floor = '1'"));
        Assert.Empty(Where("tags.floor != 1 AND IS_STRING(tags.floor)"));
        Assert.Equal(["text1"], Where("tags.floor != '2'"));
        Assert.Empty(Where("tags.floor > '0' AND IS_NUMBER(tags.floor)"));
        Assert.Empty(Where("NOT (tags.floor = 1) AND IS_STRING(tags.floor)"));
    }

    [Fact]
    public void Undefined_paths_make_every_comparison_false()
    {
        Assert.Empty(Where("tags.missing = 'x'"));
        Assert.Empty(Where("tags.missing != 'x'"));
        Assert.Empty(Where("NOT (tags.missing = 'x')"));
        Assert.Empty(Where("tags.missing.deeper = 1"));
        Assert.Empty(Where("tags.floor.deeper = 1"));
    }

    [Fact]
    public void Null_is_defined_and_equals_only_null()
    {
        Assert.Equal(["text1"], Where("IS_DEFINED(tags.nothing)"));
        Assert.Equal(["text1"], Where("IS_NULL(tags.nothing)"));
        Assert.Equal(["text1"], Where("tags.nothing = null"));
        Assert.Empty(Where("tags.nothing != null"));
        Assert.Empty(Where("tags.missing = null"));
        Assert.Empty(Where("IS_DEFINED(tags.missing)"));
        Assert.Equal(["text1", "num1", "bare"], Where("NOT IS_DEFINED(tags.missing)"));
        Assert.Empty(Where("tags.floor = null"));
    }

    [Fact]
    public void Strings_compare_ordinally_and_case_sensitively()
    {
        // Ordinal: 'B' (U+0042) sorts before 'a' (U+0061); a culture-aware comparison would say the opposite.
        Assert.Equal(["text1"], Where("tags.s < 'a'"));
        Assert.Equal(["num1"], Where("tags.s >= 'a'"));
        Assert.Empty(Where("tags.s = 'b'"));
    }

    [Fact]
    public void Numbers_compare_as_doubles()
    {
        var twin = Twin("n", reported: """{"temp":21.0,"count":21,"huge":9007199254740993}""");

        Assert.Equal(["n"], Matching("SELECT * FROM devices WHERE properties.reported.temp = 21", twin));
        Assert.Equal(["n"], Matching("SELECT * FROM devices WHERE properties.reported.count = properties.reported.temp", twin));

        // Beyond 2^53 doubles cannot tell neighbours apart; documented.
        Assert.Equal(["n"], Matching("SELECT * FROM devices WHERE properties.reported.huge = 9007199254740992", twin));
    }

    [Fact]
    public void Objects_and_arrays_do_not_compare()
    {
        Assert.Empty(Where("tags.obj = tags.obj"));
        Assert.Empty(Where("tags.arr = [1, 2]"));
        Assert.Equal(["text1", "num1"], Where("IS_OBJECT(tags.obj) AND IS_ARRAY(tags.arr)"));
    }

    [Fact]
    public void Booleans_compare_for_equality_only()
    {
        var twin = Twin("b", tags: """{"on":true}""");

        Assert.Equal(["b"], Matching("SELECT * FROM devices WHERE tags.on = true AND tags.on != false", twin));
        Assert.Empty(Matching("SELECT * FROM devices WHERE tags.on > false", twin));
    }

    [Fact]
    public void In_and_nin_with_array_constants()
    {
        Assert.Equal(["text1", "bare"], Where("deviceId IN ['text1', 'bare']"));
        Assert.Equal(["num1"], Where("deviceId NIN ['text1', 'bare']"));
        Assert.Equal(["num1"], Where("deviceId NOT IN ['text1', 'bare']"));
        Assert.Empty(Where("deviceId IN []"));
        Assert.Equal(["text1", "num1", "bare"], Where("deviceId NIN []"));
        Assert.Equal(["num1"], Where("tags.floor IN [1, -1, 0x10]"));
        Assert.Equal(["text1"], Where("tags.floor IN ['1', 2]"));
    }

    [Fact]
    public void In_and_nin_follow_the_type_rule_for_mismatched_and_missing_values()
    {
        // The number 1 is neither in nor out of a list of strings: every test is undefined.
        Assert.Equal(["text1"], Where("tags.floor IN ['1', '2']"));
        Assert.Empty(Where("tags.floor NIN ['1', '2'] AND IS_NUMBER(tags.floor)"));
        Assert.Empty(Where("tags.missing IN ['1']"));
        Assert.Empty(Where("tags.missing NIN ['1']"));
    }

    [Fact]
    public void Three_valued_logic()
    {
        Assert.Equal(["num1"], Where("tags.missing = 1 OR deviceId = 'num1'"));
        Assert.Empty(Where("tags.missing = 1 AND deviceId = 'num1'"));
        Assert.Equal(["text1", "num1", "bare"], Where("NOT (tags.missing = 1 AND false)"));
        Assert.Empty(Where("NOT (tags.missing = 1 OR false)"));
    }
}
