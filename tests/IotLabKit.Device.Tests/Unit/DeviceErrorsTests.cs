using System.Text;
using IotLabKit.Protocol;
using MQTTnet;

namespace IotLabKit.Device.Tests.Unit;

public class DeviceErrorsTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData(200, "")]
    [InlineData(204, "")]
    [InlineData(200, "{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}")]
    public void Successes_are_not_errors(int status, string body)
        => Assert.Null(DeviceErrors.FromResponse(status, Utf8(body), "op"));

    [Fact]
    public void A_status_of_300_or_more_is_an_error_with_status_code_and_message()
    {
        var error = DeviceErrors.FromResponse(400, Utf8("{\"errorCode\":400004,\"message\":\"Property name cannot contain '.'\"}"), "Updating reported properties");
        Assert.NotNull(error);
        Assert.Equal(400, error!.StatusCode);
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, error.ErrorCode);
        Assert.Contains("Property name cannot contain '.'", error.Message);
        Assert.StartsWith("Updating reported properties failed", error.Message);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void An_error_code_in_the_body_is_an_error_even_with_a_success_status()
    {
        var error = DeviceErrors.FromResponse(200, Utf8("{\"errorCode\":404001,\"message\":\"gone\"}"), "op");
        Assert.IsType<DeviceNotFoundException>(error);
        Assert.Equal(404, error!.StatusCode);
    }

    [Theory]
    [InlineData(401, typeof(UnauthorizedException), false)]
    [InlineData(404, typeof(DeviceNotFoundException), false)]
    [InlineData(413, typeof(MessageTooLargeException), false)]
    [InlineData(429, typeof(IotHubThrottledException), true)]
    [InlineData(503, typeof(ServerBusyException), true)]
    [InlineData(500, typeof(IotHubException), true)]
    [InlineData(409, typeof(IotHubException), false)]
    public void Statuses_map_to_typed_errors(int status, Type type, bool transient)
    {
        var error = DeviceErrors.FromResponse(status, [], "op");
        Assert.IsType(type, error);
        Assert.Equal(status, error!.StatusCode);
        Assert.Equal(transient, error.IsTransient);
    }

    [Theory]
    [InlineData(MqttClientConnectResultCode.BadUserNameOrPassword)]
    [InlineData(MqttClientConnectResultCode.NotAuthorized)]
    public void Refused_credentials_are_unauthorized(MqttClientConnectResultCode code)
    {
        var error = DeviceErrors.FromConnectResult(code, "localhost:8883");
        Assert.IsType<UnauthorizedException>(error);
        Assert.Contains("the hub refused the device credentials", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Server_unavailable_is_transient()
    {
        var error = DeviceErrors.FromConnectResult(MqttClientConnectResultCode.ServerUnavailable, "h:1");
        Assert.IsType<ServerBusyException>(error);
        Assert.True(error.IsTransient);
        Assert.Contains("unavailable", error.Message);
    }

    [Fact]
    public void Oversized_telemetry_is_refused_before_sending()
    {
        var ok = new Message(new byte[Telemetry.MaxMessageBytes - 100]);
        Assert.StartsWith("devices/d1/messages/events/", Telemetry.TopicFor("d1", ok));
        var big = new Message(new byte[Telemetry.MaxMessageBytes]);
        big.Properties["p"] = "v";
        var ex = Assert.Throws<MessageTooLargeException>(() => Telemetry.TopicFor("d1", big));
        Assert.Contains("262,144", ex.Message);
        Assert.Equal(413, ex.StatusCode);
    }
}
