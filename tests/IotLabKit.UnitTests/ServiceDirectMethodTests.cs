using System.Net;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;
using IotLabKit.Service;
using static IotLabKit.UnitTests.Service.ServiceScriptedHub;

namespace IotLabKit.UnitTests.Service;

/// <summary>ServiceClient's direct methods: the request IoT Hub expects, and every kind of answer it gives.</summary>
public class ServiceDirectMethodTests
{
    private static ServiceClient Client(ServiceScriptedHub hub) => ServiceClient.CreateFromConnectionString(ConnectionString, hub.Options());

    [Fact]
    public async Task Invoke_posts_name_payload_and_timeouts_to_the_twins_methods_path()
    {
        var hub = new ServiceScriptedHub(Ok("""{"status":200,"payload":{"result":"Executed direct method: SetFanState"}}"""));
        using var client = Client(hub);
        var method = new CloudToDeviceMethod("SetFanState", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10)).SetPayloadJson("\"On\"");

        var result = await client.InvokeDeviceMethodAsync("sensor-th-0055", method);

        var r = Assert.Single(hub.Requests);
        Assert.Equal(HttpMethod.Post, r.Method);
        Assert.Equal($"{Base}twins/sensor-th-0055/methods?{ApiVersion}", r.Uri.AbsoluteUri);
        Assert.Equal("application/json; charset=utf-8", r.Header("Content-Type"));
        Assert.StartsWith("SharedAccessSignature ", r.Header("Authorization"));
        Assert.Null(r.Header("If-Match"));
        Assert.Equal("""{"methodName":"SetFanState","payload":"On","responseTimeoutInSeconds":30,"connectTimeoutInSeconds":10}""", r.Body);
        Assert.Equal(200, result.Status);
        Assert.Equal("""{"result":"Executed direct method: SetFanState"}""", result.GetPayloadAsJson());
        Assert.Equal("Executed direct method: SetFanState", (string?)result.Payload!["result"]);
    }

    [Fact]
    public async Task Unset_payload_is_sent_as_null_and_unset_timeouts_are_left_out_for_the_hub_defaults()
    {
        var hub = new ServiceScriptedHub(Ok("""{"status":200,"payload":null}"""));
        using var client = Client(hub);
        var result = await client.InvokeDeviceMethodAsync("d1", new CloudToDeviceMethod("reboot"));
        Assert.Equal("""{"methodName":"reboot","payload":null}""", hub.Requests[0].Body);
        Assert.Null(result.GetPayloadAsJson());
        Assert.Null(result.Payload);
    }

    [Theory]
    [InlineData("10", "10")]
    [InlineData(" [1, 2.5, \"x\"] ", "[1, 2.5, \"x\"]")]
    [InlineData("{\"nested\":{\"a\":true,\"é\":null}}", "{\"nested\":{\"a\":true,\"é\":null}}")]
    [InlineData("null", "null")]
    public async Task Any_json_payload_is_sent_as_written(string payload, string expectedOnWire)
    {
        var hub = new ServiceScriptedHub(Ok("""{"status":200,"payload":null}"""));
        using var client = Client(hub);
        await client.InvokeDeviceMethodAsync("d1", new CloudToDeviceMethod("m").SetPayloadJson(payload));
        Assert.Equal($$"""{"methodName":"m","payload":{{expectedOnWire}}}""", hub.Requests[0].Body);
    }

    [Fact]
    public async Task Module_methods_go_to_the_module_path_with_both_ids_encoded()
    {
        var hub = new ServiceScriptedHub(Ok("""{"status":501,"payload":{"message":"no handler"}}"""));
        using var client = Client(hub);
        var result = await client.InvokeDeviceMethodAsync("edge#1", "$edgeAgent", new CloudToDeviceMethod("ping"));
        Assert.Equal($"{Base}twins/edge%231/modules/%24edgeAgent/methods?{ApiVersion}", hub.Requests[0].Uri.AbsoluteUri);
        Assert.Equal(501, result.Status);
    }

    [Fact]
    public async Task The_devices_own_error_status_is_a_result_not_an_exception()
    {
        var hub = new ServiceScriptedHub(Ok("""{"status":400,"payload":{"result":"Fan failed"}}"""));
        using var client = Client(hub);
        var result = await client.InvokeDeviceMethodAsync("d1", new CloudToDeviceMethod("SetFanState"));
        Assert.Equal(400, result.Status);
        Assert.Equal("Fan failed", (string?)result.Payload!["result"]);
    }

    [Fact]
    public async Task Device_not_online_in_envelope_2_is_DeviceNotOnlineException_with_the_hubs_message()
    {
        const string body = """{"Message":"{\"errorCode\":404103,\"trackingId\":\"b5e2f1-G:3\",\"message\":\"The operation failed because the requested device isn't online or hasn't registered the direct method callback.\",\"info\":{\"timeout\":\"00:00:00\"},\"timestampUtc\":\"2019-11-12T22:27:46.5615872Z\"}","ExceptionMessage":""}""";
        var hub = new ServiceScriptedHub(new Answer(HttpStatusCode.NotFound, body));
        using var client = Client(hub);

        var ex = await Assert.ThrowsAsync<DeviceNotOnlineException>(() => client.InvokeDeviceMethodAsync("d1", new CloudToDeviceMethod("m")));

        Assert.Equal("The operation failed because the requested device isn't online or hasn't registered the direct method callback.", ex.Message);
        Assert.Equal(IotHubErrorCode.DeviceNotOnline, ex.ErrorCode);
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("b5e2f1-G:3", ex.TrackingId);
        Assert.IsAssignableFrom<DeviceNotFoundException>(ex);
    }

    [Fact]
    public async Task Gateway_timeout_says_which_device_and_how_long_and_keeps_the_hubs_text()
    {
        const string body = """{"Message":"{\"errorCode\":504101,\"trackingId\":\"t-504\",\"message\":\"Timed out waiting for the response from device.\",\"info\":null,\"timestampUtc\":\"2021-03-04T05:06:07Z\"}","ExceptionMessage":""}""";
        var hub = new ServiceScriptedHub(new Answer(HttpStatusCode.GatewayTimeout, body, new Dictionary<string, string> { ["iothub-errorcode"] = "GatewayTimeout" }));
        using var client = Client(hub);

        var ex = await Assert.ThrowsAsync<IotHubTimeoutException>(() =>
            client.InvokeDeviceMethodAsync("d1", new CloudToDeviceMethod("slow", TimeSpan.FromSeconds(5))));

        Assert.Contains("device 'd1'", ex.Message);
        Assert.Contains("'slow'", ex.Message);
        Assert.Contains("within 5 s", ex.Message);
        Assert.Contains("Timed out waiting for the response from device.", ex.Message);
        Assert.Equal(IotHubErrorCode.GatewayTimeout, ex.ErrorCode);
        Assert.Equal(504, ex.StatusCode);
        Assert.Equal("t-504", ex.TrackingId);
        Assert.Equal("Timed out waiting for the response from device.", ex.Details!.Message);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task Gateway_timeout_without_a_response_timeout_names_the_hubs_default_of_30_s()
    {
        var hub = new ServiceScriptedHub(Error(504, "GatewayTimeout", "Timed out waiting for the response from device."));
        using var client = Client(hub);
        var ex = await Assert.ThrowsAsync<IotHubTimeoutException>(() => client.InvokeDeviceMethodAsync("d1", "m1", new CloudToDeviceMethod("x")));
        Assert.Contains("module 'd1/m1'", ex.Message);
        Assert.Contains("within 30 s", ex.Message);
    }

    [Theory]
    [InlineData("DeviceNotFound", typeof(DeviceNotFoundException))]
    [InlineData("ModuleNotFound", typeof(ModuleNotFoundException))]
    public async Task Unknown_device_or_module_is_the_not_found_exception(string code, Type expected)
    {
        var hub = new ServiceScriptedHub(Error(404, code, "not there"));
        using var client = Client(hub);
        var ex = await Assert.ThrowsAnyAsync<DeviceNotFoundException>(() => client.InvokeDeviceMethodAsync("d1", new CloudToDeviceMethod("m")));
        Assert.IsType(expected, ex);
        Assert.Equal("not there", ex.Message);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_anything_is_sent()
    {
        var hub = new ServiceScriptedHub(Ok("""{"status":200}"""));
        using var client = Client(hub);
        Assert.Throws<ArgumentException>(() => new CloudToDeviceMethod(" "));
        Assert.Throws<ArgumentException>(() => new CloudToDeviceMethod("m").MethodName = "");
        var bad = Assert.Throws<ArgumentException>(() => new CloudToDeviceMethod("m").SetPayloadJson("'single quotes'"));
        Assert.Contains("double quotes", bad.Message);
        Assert.Throws<ArgumentException>(() => new CloudToDeviceMethod("m").SetPayloadJson("{\"a\":1} {\"b\":2}"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.InvokeDeviceMethodAsync("bad id", new CloudToDeviceMethod("m")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.InvokeDeviceMethodAsync("d1", "bad/module", new CloudToDeviceMethod("m")));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.InvokeDeviceMethodAsync("d1", null!));
        Assert.Empty(hub.Requests);
    }

    [Fact]
    public void Payload_can_be_cleared_and_read_back()
    {
        var method = new CloudToDeviceMethod("m").SetPayloadJson("{\"a\":1}");
        Assert.Equal("{\"a\":1}", method.GetPayloadAsJson());
        Assert.Null(method.SetPayloadJson(null).GetPayloadAsJson());
    }

    [Theory]
    [InlineData(0, 0, 100)]      // the client's 100 s floor beats 15 + 0 + 30
    [InlineData(60, 0, 100)]     // 15 + 60 = 75 < 100
    [InlineData(120, 30, 165)]   // 15 + 30 + 120
    [InlineData(300, 300, 615)]
    public void Http_time_limit_is_15_s_plus_both_timeouts_but_never_below_the_configured_one(int response, int connect, int expectedSeconds)
    {
        var method = new CloudToDeviceMethod("m", TimeSpan.FromSeconds(response), TimeSpan.FromSeconds(connect));
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), ServiceClient.MethodCallTimeout(method, TimeSpan.FromSeconds(100)));
    }

    [Fact]
    public void Http_time_limit_counts_the_hubs_default_response_timeout_when_none_is_set()
    {
        Assert.Equal(TimeSpan.FromSeconds(45), ServiceClient.MethodCallTimeout(new CloudToDeviceMethod("m"), TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(46), ServiceClient.MethodCallTimeout(new CloudToDeviceMethod("m", TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(1)));
    }

    private sealed class SilentHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    [Fact]
    public async Task The_callers_cancellation_ends_a_method_call_that_waits_for_the_device()
    {
        using var client = ServiceClient.CreateFromConnectionString(ConnectionString, new ServiceClientOptions { HttpMessageHandler = new SilentHandler() });
        using var cts = new CancellationTokenSource();
        var call = client.InvokeDeviceMethodAsync("d1", new CloudToDeviceMethod("m", TimeSpan.FromSeconds(300)), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public void Method_and_result_json_round_trip()
    {
        var method = System.Text.Json.JsonSerializer.Deserialize<CloudToDeviceMethod>(
            """{"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":60,"connectTimeoutInSeconds":0}""")!;
        Assert.Equal("reboot", method.MethodName);
        Assert.Equal(TimeSpan.FromSeconds(60), method.ResponseTimeout);
        Assert.Equal(TimeSpan.Zero, method.ConnectionTimeout);
        Assert.Equal("""{"delay":5}""", method.GetPayloadAsJson());
        Assert.Equal("""{"methodName":"reboot","payload":{"delay":5},"responseTimeoutInSeconds":60}""", method.ToJson());

        var result = new CloudToDeviceMethodResult { Status = 200, Payload = new JsonObject { ["ok"] = true } };
        Assert.Equal("""{"status":200,"payload":{"ok":true}}""", result.ToJson());
    }

    [Fact]
    public void Connection_strings_that_are_not_service_ones_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => ServiceClient.CreateFromConnectionString($"HostName=h;DeviceId=d;SharedAccessKey={Key}"));
        Assert.Contains("device connection string", ex.Message);
    }

    [Fact]
    public async Task Open_and_close_do_nothing_and_statistics_come_from_the_service_endpoint()
    {
        var hub = new ServiceScriptedHub(Ok("""{"connectedDeviceCount":3}"""));
        using var client = Client(hub);
        await client.OpenAsync();
        await client.CloseAsync();
        var stats = await client.GetServiceStatisticsAsync();
        Assert.Equal(3, stats.ConnectedDeviceCount);
        Assert.Equal($"{Base}statistics/service?{ApiVersion}", Assert.Single(hub.Requests).Uri.AbsoluteUri);
    }
}
