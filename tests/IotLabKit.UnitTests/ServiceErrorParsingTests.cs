using IotLabKit.Protocol;
using IotLabKit.Service;
using IotLabKit.Service.Exceptions;

namespace IotLabKit.UnitTests.Service;

public class ServiceErrorParsingTests
{
    [Fact]
    public void Envelope_1_gives_name_text_and_tracking_id()
    {
        const string body = """{"Message":"ErrorCode:DeviceNotFound;Device sensor-1 does not exist; check the id.","ExceptionMessage":"Tracking ID:0123456789abcdef0123456789abcdef-G:10-TimeStamp:01/02/2023 21:43:41"}""";
        var d = IotHubErrorParser.Parse(404, "Not Found", null, body);
        Assert.Equal(IotHubErrorCode.DeviceNotFound, d.ErrorCode);
        Assert.Equal("DeviceNotFound", d.ErrorName);
        Assert.Equal("Device sensor-1 does not exist; check the id.", d.Message);
        Assert.Equal("0123456789abcdef0123456789abcdef-G:10", d.TrackingId);
        Assert.Equal(404, d.StatusCode);
        Assert.Equal(body, d.Body);
    }

    [Fact]
    public void Envelope_2_nested_json_gives_numeric_code_and_inner_message()
    {
        const string body = """{"Message":"{\"errorCode\":404103,\"trackingId\":\"abc-123\",\"message\":\"Timed out waiting for device to connect.\",\"info\":{\"timeout\":\"00:00:00\"},\"timestampUtc\":\"2019-11-12T22:27:46.5615872Z\"}","ExceptionMessage":""}""";
        var d = IotHubErrorParser.Parse(404, "Not Found", null, body);
        Assert.Equal(IotHubErrorCode.DeviceNotOnline, d.ErrorCode);
        Assert.Equal("DeviceNotOnline", d.ErrorName);
        Assert.Equal("Timed out waiting for device to connect.", d.Message);
        Assert.Equal("abc-123", d.TrackingId);
    }

    [Fact]
    public void Bare_error_object_is_read()
    {
        const string body = """{"errorCode":409301,"message":"Module m1 already exists on device d1.","trackingId":"t-1","timestampUtc":"2023-01-01T00:00:00Z"}""";
        var d = IotHubErrorParser.Parse(409, null, null, body);
        Assert.Equal(IotHubErrorCode.ModuleAlreadyExistsOnDevice, d.ErrorCode);
        Assert.Equal("Module m1 already exists on device d1.", d.Message);
        Assert.Equal("t-1", d.TrackingId);
    }

    [Fact]
    public void Header_names_the_error_when_the_body_does_not()
    {
        var d = IotHubErrorParser.Parse(412, "Precondition Failed", "PreconditionFailed", """{"Message":"The etag does not match.","ExceptionMessage":""}""");
        Assert.Equal(IotHubErrorCode.PreconditionFailed, d.ErrorCode);
        Assert.Equal("PreconditionFailed", d.ErrorName);
        Assert.Equal("The etag does not match.", d.Message);
    }

    [Fact]
    public void An_unknown_error_name_is_kept_even_without_an_enum_value()
    {
        var d = IotHubErrorParser.Parse(400, null, "SomethingNew", """{"Message":"ErrorCode:SomethingNew;A brand-new failure."}""");
        Assert.Null(d.ErrorCode);
        Assert.Equal("SomethingNew", d.ErrorName);
        Assert.Equal("A brand-new failure.", d.Message);
    }

    [Theory]
    [InlineData("<html>Bad gateway</html>", "<html>Bad gateway</html>")]
    [InlineData("{not json", "{not json")]
    public void A_body_that_is_not_an_envelope_is_kept_as_the_message(string body, string expected)
    {
        var d = IotHubErrorParser.Parse(502, "Bad Gateway", null, body);
        Assert.Equal(expected, d.Message);
        Assert.Null(d.ErrorName);
    }

    [Fact]
    public void An_empty_body_gets_a_message_naming_status_and_code()
    {
        var d = IotHubErrorParser.Parse(401, "Unauthorized", "IotHubUnauthorizedAccess", "");
        Assert.Contains("401", d.Message);
        Assert.Contains("Unauthorized", d.Message);
        Assert.Contains("IotHubUnauthorizedAccess", d.Message);
        Assert.Equal(IotHubErrorCode.IotHubUnauthorizedAccess, d.ErrorCode);
    }

    [Theory]
    [InlineData(400, null, typeof(IotHubArgumentException), false)]
    [InlineData(401, null, typeof(UnauthorizedException), false)]
    [InlineData(403, null, typeof(QuotaExceededException), false)]
    [InlineData(404, "DeviceNotFound", typeof(DeviceNotFoundException), false)]
    [InlineData(404, "ModuleNotFound", typeof(ModuleNotFoundException), false)]
    [InlineData(404, "DeviceNotOnline", typeof(DeviceNotOnlineException), false)]
    [InlineData(404, "JobNotFound", typeof(JobNotFoundException), false)]
    [InlineData(404, "ConfigurationNotFound", typeof(ConfigurationNotFoundException), false)]
    [InlineData(404, "IotHubNotFound", typeof(DeviceNotFoundException), false)]
    [InlineData(408, null, typeof(IotHubTimeoutException), true)]
    [InlineData(409, null, typeof(DeviceAlreadyExistsException), false)]
    [InlineData(412, null, typeof(PreconditionFailedException), false)]
    [InlineData(413, null, typeof(MessageTooLargeException), false)]
    [InlineData(429, null, typeof(ThrottlingException), true)]
    [InlineData(500, null, typeof(ServerErrorException), true)]
    [InlineData(503, null, typeof(ServerBusyException), true)]
    [InlineData(504, "GatewayTimeout", typeof(IotHubTimeoutException), true)]
    [InlineData(418, null, typeof(IotHubException), false)]
    public void Each_status_maps_to_its_exception(int status, string? header, Type expected, bool transient)
    {
        var ex = IotHubExceptionFactory.Create(IotHubErrorParser.Parse(status, null, header, """{"Message":"ErrorCode:X;the hub's text"}"""));
        Assert.IsType(expected, ex);
        Assert.Equal(transient, ex.IsTransient);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal("the hub's text", ex.Message);
    }

    [Fact]
    public void Every_not_found_is_a_DeviceNotFoundException_like_Microsofts_client()
    {
        var ex = IotHubExceptionFactory.Create(IotHubErrorParser.Parse(404, null, "ModuleNotFound", ""));
        Assert.IsAssignableFrom<DeviceNotFoundException>(ex);
        Assert.Equal(IotHubErrorCode.ModuleNotFound, ex.ErrorCode);
    }

    [Fact]
    public void ToString_carries_code_status_and_tracking_id()
    {
        var ex = IotHubExceptionFactory.Create(IotHubErrorParser.Parse(404, null, "DeviceNotFound",
            """{"Message":"ErrorCode:DeviceNotFound;Device d1 not found.","ExceptionMessage":"Tracking ID:feed-G:1-TimeStamp:x"}"""));
        var text = ex.ToString();
        Assert.Contains("Device d1 not found.", text);
        Assert.Contains("404001", text);
        Assert.Contains("HTTP 404", text);
        Assert.Contains("feed-G:1", text);
    }
}
