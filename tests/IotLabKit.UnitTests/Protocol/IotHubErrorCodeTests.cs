using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Protocol;

public class IotHubErrorCodeTests
{
    [Fact]
    public void Every_code_starts_with_its_http_status()
    {
        foreach (var code in Enum.GetValues<IotHubErrorCode>())
            Assert.InRange(code.HttpStatus(), 400, 599);
        Assert.Equal(412, IotHubErrorCode.PreconditionFailed.HttpStatus());
        Assert.Equal(404103, (int)IotHubErrorCode.DeviceNotOnline);
    }

    [Theory]
    [InlineData("DeviceNotFound", IotHubErrorCode.DeviceNotFound)]
    [InlineData("devicenotfound", IotHubErrorCode.DeviceNotFound)]
    [InlineData("504101", IotHubErrorCode.GatewayTimeout)]
    public void Names_and_numbers_parse(string text, IotHubErrorCode expected)
    {
        Assert.True(IotHubErrorCodes.TryParse(text, out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("NoSuchCode")]
    [InlineData("123")]
    public void Unknown_codes_do_not_parse(string? text) => Assert.False(IotHubErrorCodes.TryParse(text, out _));
}
