using IotLabKit.Emulator.Core;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator;

public class ETagTests
{
    [Fact]
    public void Device_etags_are_base64_of_ascii_decimal_and_twin_etags_of_8_byte_big_endian()
    {
        Assert.Equal("MQ==", ETags.ForDevice(1));
        Assert.Equal("OTA4NTk1Mjg=", ETags.ForDevice(90859528));
        Assert.Equal("AAAAAAAAAAE=", ETags.ForTwin(1));
        Assert.Equal("AAAAAAAAAAQ=", ETags.ForTwin(4));
    }

    [Theory]
    [InlineData(null, false, null)]
    [InlineData("", false, null)]
    [InlineData("abc", false, null)]
    [InlineData("\"abc\"", true, "abc")]
    [InlineData("W/\"abc\"", true, "abc")]
    [InlineData("\"*\"", true, null)]
    [InlineData("*", true, null)]
    [InlineData("  \"AAAAAAAAAAE=\"  ", true, "AAAAAAAAAAE=")]
    public void If_match_is_read_like_the_hub(string? header, bool present, string? tag)
    {
        var condition = ETagCondition.Parse(header);
        Assert.Equal(present, condition.IsPresent);
        Assert.Equal(tag, condition.Tag);
    }

    [Fact]
    public void Only_a_matching_tag_or_star_or_no_condition_passes()
    {
        ETagCondition.Parse("\"abc\"").Verify("abc", "x");
        ETagCondition.Parse("\"*\"").Verify("anything", "x");
        ETagCondition.Parse(null).Verify("anything", "x");
        ETagCondition.Parse("abc").Verify("different", "x");
        var ex = Assert.Throws<HubException>(() => ETagCondition.Parse("\"abc\"").Verify("ABC", "twin d1"));
        Assert.Equal(IotHubErrorCode.PreconditionFailed, ex.Code);
        Assert.Contains("twin d1", ex.Message);
    }
}
