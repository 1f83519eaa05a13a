extern alias DeviceSdk;
using IotLabKit.Testing;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Devices;

/// <summary>Direct methods end to end: <c>POST /twins/{id}/methods</c> through the MQTT endpoint to a real device client.</summary>
public sealed class DeviceMethodTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    [Fact]
    public async Task Method_reaches_the_handler_and_its_status_and_payload_come_back()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        await using var client = hub.NewClient(id, key);
        await client.SetMethodHandlerAsync("reboot", (request, _) =>
        {
            var delay = (int)JsonNode.Parse(request.DataAsJson!)!["delay"]!;
            return Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes($$"""{"rebooting":true,"delay":{{delay}}}"""), 200));
        }, null);
        await client.SetMethodHandlerAsync("fail", (_, _) => Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes("\"no\""), 503)), null);
        await client.SetMethodHandlerAsync("quiet", (request, _) =>
            Task.FromResult(new MethodResponse(request.DataAsJson == "null" ? 204 : 500)), null);

        using var ok = await hub.InvokeMethodAsync(id, """{"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":30,"connectTimeoutInSeconds":0}""");
        var body = await EmulatorFixture.ReadOkAsync(ok);
        Assert.Equal(200, (int)body["status"]!);
        Assert.True((bool)body["payload"]!["rebooting"]!);
        Assert.Equal(5, (int)body["payload"]!["delay"]!);

        using var failed = await hub.InvokeMethodAsync(id, """{"methodName":"fail","payload":null}""");
        var failure = await EmulatorFixture.ReadOkAsync(failed);
        Assert.Equal(503, (int)failure["status"]!);
        Assert.Equal("no", (string?)failure["payload"]);

        // No payload is sent as the JSON text null; an empty answer comes back as payload null.
        using var quiet = await hub.InvokeMethodAsync(id, """{"methodName":"quiet"}""");
        var quietBody = await EmulatorFixture.ReadOkAsync(quiet);
        Assert.Equal(204, (int)quietBody["status"]!);
        Assert.True(quietBody.ContainsKey("payload"));
        Assert.Null(quietBody["payload"]);

        using var unhandled = await hub.InvokeMethodAsync(id, """{"methodName":"nobody","payload":1}""");
        Assert.Equal(501, (int)(await EmulatorFixture.ReadOkAsync(unhandled))["status"]!);
    }

    [Fact]
    public async Task Offline_device_is_404103_at_once_and_unknown_device_404001_in_the_nested_envelope()
    {
        var (id, _) = await hub.CreateDeviceAsync();
        using var offline = await hub.InvokeMethodAsync(id, """{"methodName":"reboot","responseTimeoutInSeconds":300}""");
        var inner = await AssertNestedErrorAsync(offline, 404, "DeviceNotOnline");
        Assert.Equal(404103, (int)inner["errorCode"]!);

        using var unknown = await hub.InvokeMethodAsync("no-such-device", """{"methodName":"reboot"}""");
        Assert.Equal(404001, (int)(await AssertNestedErrorAsync(unknown, 404, "DeviceNotFound"))["errorCode"]!);

        using var module = await hub.SendAsync(HttpMethod.Post, $"/twins/{id}/modules/m1/methods", """{"methodName":"reboot"}""");
        Assert.Equal(404010, (int)(await AssertNestedErrorAsync(module, 404, "ModuleNotFound"))["errorCode"]!);
    }

    [Fact]
    public async Task Silent_device_is_504101_after_the_response_timeout()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var factory = new MqttClientFactory();
        using var silent = factory.CreateMqttClient();
        var got = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        silent.ApplicationMessageReceivedAsync += e => { got.TrySetResult(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        await silent.ConnectAsync(hub.RawOptions(id, key));
        await silent.SubscribeAsync("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce);

        using var response = await hub.InvokeMethodAsync(id, """{"methodName":"hang","payload":{},"responseTimeoutInSeconds":5}""");
        Assert.StartsWith("$iothub/methods/POST/hang/?$rid=", await got.Task.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(504101, (int)(await AssertNestedErrorAsync(response, 504, "GatewayTimeout"))["errorCode"]!);
    }

    [Fact]
    public async Task Our_client_with_a_handler_that_never_answers_gives_504101()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        await using var client = hub.NewClient(id, key);
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<MethodResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.SetMethodHandlerAsync("hang", (_, _) => { called.TrySetResult(); return never.Task; }, null);
        using var response = await hub.InvokeMethodAsync(id, """{"methodName":"hang","responseTimeoutInSeconds":5}""");
        await called.Task.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(504101, (int)(await AssertNestedErrorAsync(response, 504, "GatewayTimeout"))["errorCode"]!);
        never.TrySetResult(new MethodResponse(200));
    }

    [Fact]
    public async Task Our_client_keeps_methods_and_desired_patches_across_sas_renewals()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        // A 6 s token is renewed at 75 % of its life: a DISCONNECT and CONNECT every 4.5 s.
        await using var client = hub.NewClient(id, key, sasTimeToLive: TimeSpan.FromSeconds(6));
        var patches = System.Threading.Channels.Channel.CreateUnbounded<TwinCollection>();
        await client.SetDesiredPropertyUpdateCallbackAsync((p, _) => { patches.Writer.TryWrite(p); return Task.CompletedTask; }, null);
        await client.SetMethodHandlerAsync("ping", (_, _) => Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes("1"), 200)), null);
        var first = DateTimeOffset.Parse((string)(await hub.GetJsonAsync($"/devices/{id}"))["connectionStateUpdatedTime"]!);

        await Eventually.WaitAsync(() => hub.GetJsonAsync($"/devices/{id}"),
            d => (string?)d["connectionState"] == "Connected" && DateTimeOffset.Parse((string)d["connectionStateUpdatedTime"]!) > first.AddSeconds(8),
            "two token renewals (reconnects)", TimeSpan.FromSeconds(40));

        await hub.PatchDesiredAsync(id, new JsonObject { ["renewed"] = true });
        var patch = await patches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        bool renewed = patch["renewed"];
        Assert.True(renewed);
        using var ok = await hub.InvokeMethodAsync(id, """{"methodName":"ping","responseTimeoutInSeconds":10,"connectTimeoutInSeconds":10}""");
        Assert.Equal(1, (int)(await EmulatorFixture.ReadOkAsync(ok))["payload"]!);
    }

    [Fact]
    public async Task Connect_timeout_waits_for_the_device_to_come_online()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var call = hub.InvokeMethodAsync(id, """{"methodName":"hello","payload":"hi","responseTimeoutInSeconds":30,"connectTimeoutInSeconds":60}""");
        await using var client = hub.NewClient(id, key);
        await client.SetMethodHandlerAsync("hello", (request, _) => Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes(request.DataAsJson!), 200)), null);
        using var response = await call;
        var body = await EmulatorFixture.ReadOkAsync(response);
        Assert.Equal("hi", (string?)body["payload"]);
    }

    [Theory]
    [InlineData("""{"payload":1}""", 400, "ArgumentNull")]
    [InlineData("""{"methodName":"a/b"}""", 400, "ArgumentInvalid")]
    [InlineData("""{"methodName":"ok","responseTimeoutInSeconds":4}""", 400, "ArgumentInvalid")]
    [InlineData("""{"methodName":"ok","responseTimeoutInSeconds":301}""", 400, "ArgumentInvalid")]
    [InlineData("""{"methodName":"ok","connectTimeoutInSeconds":301}""", 400, "ArgumentInvalid")]
    [InlineData("""{"methodName":"ok","responseTimeoutInSeconds":"30"}""", 400, "ArgumentInvalid")]
    [InlineData("""not json""", 400, "IotHubFormatError")]
    public async Task Bad_requests_are_400_with_the_code(string body, int status, string code)
    {
        var (id, _) = await hub.CreateDeviceAsync();
        using var response = await hub.InvokeMethodAsync(id, body);
        await AssertNestedErrorAsync(response, status, code);
    }

    [Fact]
    public async Task Payload_over_128_KB_is_413()
    {
        var (id, _) = await hub.CreateDeviceAsync();
        var big = new string('x', 128 * 1024);
        using var response = await hub.InvokeMethodAsync(id, $$"""{"methodName":"big","payload":"{{big}}"}""");
        await AssertNestedErrorAsync(response, 413, "MessageTooLarge");
    }

    private static async Task<JsonObject> AssertNestedErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(code, Assert.Single(response.Headers.GetValues("iothub-errorcode")));
        EmulatorFixture.AssertJsonContentType(response);
        var envelope = JsonNode.Parse(text)!.AsObject();
        var inner = JsonNode.Parse((string)envelope["Message"]!)!.AsObject();
        Assert.All(inner, p => Assert.False(p.Value is JsonObject or JsonArray, $"'{p.Key}' is nested; the C# SDK reads this as a string dictionary"));
        Assert.False(string.IsNullOrEmpty((string?)inner["message"]));
        Assert.Matches("^[0-9a-f]{32}$", (string)inner["trackingId"]!);
        return inner;
    }
}
