using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Methods;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator.Mqtt;

public sealed class DirectMethodRequestReaderTests
{
    private static DirectMethodCall Read(string json) => DirectMethodRequestReader.Read(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void Defaults_are_30_s_response_0_s_connect_and_a_null_payload()
    {
        var call = Read("""{"methodName":"reboot"}""");
        Assert.Equal("reboot", call.MethodName);
        Assert.Null(call.Payload);
        Assert.Equal(TimeSpan.FromSeconds(30), call.ResponseTimeout);
        Assert.Equal(TimeSpan.Zero, call.ConnectTimeout);
        Assert.Equal("null", Encoding.UTF8.GetString(DirectMethodRequestReader.EncodePayload(call.Payload)));
    }

    [Theory]
    [InlineData("""{"methodName":"m","payload":10}""", "10")]
    [InlineData("""{"methodName":"m","payload":"text"}""", "\"text\"")]
    [InlineData("""{"methodName":"m","payload":{"a":[1,2]}}""", """{"a":[1,2]}""")]
    [InlineData("""{"methodName":"m","payload":null}""", "null")]
    public void Any_json_payload_is_sent_as_its_json_text(string body, string sent)
        => Assert.Equal(sent, Encoding.UTF8.GetString(DirectMethodRequestReader.EncodePayload(Read(body).Payload)));

    [Theory]
    [InlineData(5, 5)]
    [InlineData(300, 300)]
    [InlineData(0, 30)]
    [InlineData(-1, 30)]
    public void Response_timeout_range_with_non_positive_meaning_default(int given, int expected)
        => Assert.Equal(TimeSpan.FromSeconds(expected), Read($$"""{"methodName":"m","responseTimeoutInSeconds":{{given}}}""").ResponseTimeout);

    [Theory]
    [InlineData("""{"methodName":"m","responseTimeoutInSeconds":4}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"m","responseTimeoutInSeconds":301}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"m","responseTimeoutInSeconds":5.5}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"m","connectTimeoutInSeconds":-1}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"m","connectTimeoutInSeconds":301}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"m","connectTimeoutInSeconds":"5"}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"payload":1}""", IotHubErrorCode.ArgumentNull)]
    [InlineData("""{"methodName":5}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":""}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"a b"}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"a/b"}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"$reboot"}""", IotHubErrorCode.ArgumentInvalid)]
    [InlineData("""{"methodName":"réboot"}""", IotHubErrorCode.ArgumentInvalid)]
    public void Invalid_requests_are_rejected_with_the_code(string body, IotHubErrorCode code)
    {
        var ex = Assert.Throws<HubException>(() => Read(body));
        Assert.Equal(code, ex.Code);
    }

    [Theory]
    [InlineData("reboot")]
    [InlineData("SetTelemetryInterval")]
    [InlineData("factory-reset_2.0")]
    [InlineData("a*b!c'd~e")]
    public void Printable_ascii_names_are_valid(string name) => DirectMethodRequestReader.ValidateMethodName(name);

    [Fact]
    public void Payloads_up_to_128_KB_of_json_are_accepted()
    {
        var limit = DirectMethodRequestReader.MaxPayloadBytes;
        DirectMethodRequestReader.ValidatePayloadSize(JsonValue.Create(new string('x', limit - 2)), "request");
        var ex = Assert.Throws<HubException>(() => DirectMethodRequestReader.ValidatePayloadSize(JsonValue.Create(new string('x', limit - 1)), "request"));
        Assert.Equal(IotHubErrorCode.MessageTooLarge, ex.Code);
    }
}
