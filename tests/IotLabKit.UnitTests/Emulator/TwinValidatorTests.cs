using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator;

public class TwinValidatorTests
{
    private static void Valid(JsonObject patch, TwinSectionKind kind = TwinSectionKind.Desired) => TwinValidator.ValidatePatch(patch, kind);

    private static HubException Invalid(JsonObject patch, TwinSectionKind kind = TwinSectionKind.Desired)
    {
        var ex = Assert.Throws<HubException>(() => TwinValidator.ValidatePatch(patch, kind));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, ex.Code);
        return ex;
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a$b")]
    [InlineData("$a")]
    [InlineData("a b")]
    [InlineData("a#b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u0085b")]
    [InlineData("")]
    public void Bad_keys_are_rejected_at_any_depth(string key)
    {
        Invalid(new JsonObject { [key] = 1 });
        Invalid(new JsonObject { ["ok"] = new JsonObject { [key] = 1 } });
    }

    [Theory]
    [InlineData("temperature")]
    [InlineData("a-b_c:d")]
    [InlineData("Ünïcödé")]
    public void Ordinary_keys_pass(string key) => Valid(new JsonObject { [key] = 1 });

    [Fact]
    public void Keys_up_to_1KB_pass_longer_fail()
    {
        Valid(new JsonObject { [new string('k', 1024)] = 1 });
        Invalid(new JsonObject { [new string('k', 1025)] = 1 });
    }

    [Fact]
    public void Ten_levels_pass_eleven_fail()
    {
        // As in IoT Hub's documentation: "one" … "ten" nested objects, the tenth holding a property, is the deepest allowed.
        static JsonObject Nest(int objects)
        {
            JsonNode inner = new JsonObject { ["property"] = "value" };
            for (var i = objects; i >= 2; i--) inner = new JsonObject { ["level" + i] = inner };
            return new JsonObject { ["level1"] = inner };
        }
        Valid(Nest(10));
        var ex = Invalid(Nest(11));
        Assert.Contains("10", ex.Message);
    }

    [Fact]
    public void Strings_up_to_4KB_pass_longer_fail()
    {
        Valid(new JsonObject { ["s"] = new string('x', 4096) });
        Invalid(new JsonObject { ["s"] = new string('x', 4097) });
    }

    [Theory]
    [InlineData("4503599627370495", true)]
    [InlineData("-4503599627370496", true)]
    [InlineData("4503599627370496", false)]
    [InlineData("-4503599627370497", false)]
    [InlineData("123456789012345678901234567890", false)]
    [InlineData("1.5e300", true)]
    [InlineData("3.25", true)]
    public void Integers_must_be_within_the_hubs_range(string number, bool ok)
    {
        var patch = JsonNode.Parse($$"""{"n":{{number}}}""")!.AsObject();
        if (ok) Valid(patch); else Invalid(patch);
    }

    [Fact]
    public void Arrays_are_accepted_in_every_section_but_still_checked()
    {
        var patch = JsonNode.Parse("""{"list":[1,"two",{"three":3}]}""")!.AsObject();
        Valid(patch, TwinSectionKind.Desired);
        Valid(patch, TwinSectionKind.Reported);
        Valid(patch, TwinSectionKind.Tags);
        Invalid(JsonNode.Parse("""{"list":[{"bad.key":1}]}""")!.AsObject());
    }

    [Fact]
    public void Section_sizes_are_capped()
    {
        JsonObject Sized(int entries) => new(Enumerable.Range(0, entries).Select(i =>
            KeyValuePair.Create($"k{i:D4}", (JsonNode?)new string('v', 995))));
        TwinValidator.ValidateSize(Sized(8), TwinSectionKind.Tags);
        Assert.Throws<HubException>(() => TwinValidator.ValidateSize(Sized(9), TwinSectionKind.Tags));
        TwinValidator.ValidateSize(Sized(32), TwinSectionKind.Desired);
        Assert.Throws<HubException>(() => TwinValidator.ValidateSize(Sized(33), TwinSectionKind.Reported));
    }

    [Fact]
    public void Size_counts_keys_and_strings_in_utf8_numbers_8_booleans_4()
    {
        var value = JsonNode.Parse("""{"ab":"é","n":1,"b":true,"o":{"x":[1,2]}}""")!.AsObject();
        Assert.Equal(2 + 2 + 1 + 8 + 1 + 4 + 1 + 1 + 16, TwinValidator.SizeOf(value));
    }
}
