using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Device.Tests.FakeHub;
using IotLabKit.Protocol;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IotLabKit.Device.Tests.EndToEnd;

/// <summary>The client end to end over real TLS and MQTT against <see cref="FakeIotHub"/>: connect, twin, methods, telemetry, C2D.</summary>
public sealed class DeviceClientTests : IAsyncLifetime
{
    private FakeIotHub _hub = null!;
    private DeviceClient _client = null!;

    public async Task InitializeAsync()
    {
        _hub = await FakeIotHub.StartAsync();
        _client = DeviceClient.CreateFromConnectionString(_hub.ConnectionString(), TransportType.Mqtt, new DeviceClientOptions { CaCertificatePath = _hub.CaPemPath });
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _hub.DisposeAsync();
    }

    [Fact]
    public async Task Connect_sends_what_IoT_Hub_expects()
    {
        await _client.OpenAsync();
        var connect = _hub.Snapshot(h => h.Connects.Single());
        Assert.Equal(_hub.DeviceId, connect.ClientId);
        Assert.StartsWith($"{_hub.HostName}/{_hub.DeviceId}/?api-version=2021-04-12&DeviceClientType=IotLabKit.Device%2F", connect.UserName);
        Assert.False(connect.CleanSession);
        Assert.Equal((ushort)300, connect.KeepAliveSeconds);
        Assert.Equal(MqttProtocolVersion.V311, connect.Protocol);
        Assert.True(SharedAccessSignature.TryParse(connect.Password, out var sas, out _));
        Assert.Equal(System.Net.WebUtility.UrlEncode($"{_hub.HostName}/devices/{_hub.DeviceId}"), sas!.Resource);
        Assert.InRange(sas.ExpiresOn - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3500, 3601);
        Assert.Equal(ConnectionStatus.Connected, _client.ConnectionStatus);
    }

    [Fact]
    public async Task GetTwin_opens_implicitly_and_returns_desired_and_reported_with_versions()
    {
        await _hub.UpdateDesiredAsync(new JsonObject { ["temperature"] = "50", ["nested"] = new JsonObject { ["a"] = 1 } });
        var twin = await _client.GetTwinAsync();
        Assert.Equal(_hub.DeviceId, twin.DeviceId);
        Assert.Equal(2, twin.Properties.Desired.Version);
        Assert.Equal(1, twin.Properties.Reported.Version);
        double temperature = twin.Properties.Desired["temperature"];
        Assert.Equal(50, temperature);
        int a = twin.Properties.Desired["nested"]["a"];
        Assert.Equal(1, a);
        Assert.Single(_hub.Snapshot(h => h.Subscriptions.Where(s => s == "$iothub/twin/res/#").ToList()));
        Assert.Matches(@"^\$iothub/twin/GET/\?\$rid=[0-9a-f-]+$", _hub.Snapshot(h => h.TwinRequests.Single()));
    }

    [Fact]
    public async Task Reported_patches_reach_the_hub_and_null_deletes()
    {
        var reported = new TwinCollection();
        reported["fanstate"] = "Off";
        reported["humidity"] = 85.0;
        reported["firmware"] = new TwinCollection("{\"currentFwVersion\":\"1.0.0\"}");
        await _client.UpdateReportedPropertiesAsync(reported);
        Assert.Equal("Off", _hub.Reported["fanstate"]!.GetValue<string>());
        Assert.Equal("1.0.0", _hub.Reported["firmware"]!["currentFwVersion"]!.GetValue<string>());

        var delete = new TwinCollection();
        delete["fanstate"] = null;
        await _client.UpdateReportedPropertiesAsync(delete);
        Assert.False(_hub.Reported.ContainsKey("fanstate"));
        Assert.Equal(3, _hub.Reported["$version"]!.GetValue<long>());
        var twin = await _client.GetTwinAsync();
        Assert.Equal(3, twin.Properties.Reported.Version);
        Assert.False(twin.Properties.Reported.Contains("fanstate"));
        // Only one subscription to twin responses, however many requests.
        Assert.Single(_hub.Snapshot(h => h.Subscriptions.Where(s => s == "$iothub/twin/res/#").ToList()));
    }

    [Fact]
    public async Task Twin_errors_become_typed_exceptions_with_status_and_message()
    {
        _hub.TwinAnswerOverride = _ => (400, "{\"errorCode\":400004,\"message\":\"Twin property names cannot contain '$'.\"}");
        var bad = await Assert.ThrowsAsync<IotHubException>(() => _client.UpdateReportedPropertiesAsync(new TwinCollection("{\"a\":1}")));
        Assert.Equal(400, bad.StatusCode);
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, bad.ErrorCode);
        Assert.Contains("cannot contain '$'", bad.Message);

        _hub.TwinAnswerOverride = _ => (429, "");
        var throttled = await Assert.ThrowsAsync<IotHubThrottledException>(() => _client.GetTwinAsync());
        Assert.True(throttled.IsTransient);
    }

    [Fact]
    public async Task A_twin_request_the_hub_never_answers_times_out()
    {
        await using var client = DeviceClient.CreateFromConnectionString(_hub.ConnectionString(), TransportType.Mqtt,
            new DeviceClientOptions { CaCertificatePath = _hub.CaPemPath, TwinRequestTimeout = TimeSpan.FromMilliseconds(300) });
        _hub.TwinAnswerOverride = _ => (200, null);
        var ex = await Assert.ThrowsAsync<IotHubTimeoutException>(() => client.GetTwinAsync());
        Assert.Contains("did not answer", ex.Message);
    }

    [Fact]
    public async Task Desired_patches_reach_the_callback_with_version_and_context()
    {
        var received = new TaskCompletionSource<(TwinCollection Patch, object? Context)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _client.SetDesiredPropertyUpdateCallbackAsync((patch, ctx) => { received.TrySetResult((patch, ctx)); return Task.CompletedTask; }, "my-context");
        await _hub.WaitUntilAsync(h => h.Subscriptions.Contains("$iothub/twin/PATCH/properties/desired/#"), "the desired subscription");
        await _hub.UpdateDesiredAsync(new JsonObject { ["telemetryDelay"] = "5", ["route"] = null });
        var (patch, context) = await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("my-context", context);
        Assert.Equal(2, patch.Version);
        string delay = patch["telemetryDelay"];
        Assert.Equal("5", delay);
        Assert.True(patch.Contains("route"));
        Assert.Null(patch["route"]);
    }

    [Fact]
    public async Task Removing_the_desired_callback_unsubscribes()
    {
        var calls = 0;
        await _client.SetDesiredPropertyUpdateCallbackAsync((_, _) => { Interlocked.Increment(ref calls); return Task.CompletedTask; }, null);
        await _client.SetDesiredPropertyUpdateCallbackAsync(null, null);
        await _hub.UpdateDesiredAsync(new JsonObject { ["x"] = 1 });
        // A method round trip after the patch proves the connection processed everything the hub sent before it.
        await _client.SetMethodHandlerAsync("ping", (_, _) => Task.FromResult(new MethodResponse(200)), null);
        Assert.Equal(200, (await _hub.InvokeMethodAsync("ping", "null")).Status);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Direct_methods_are_answered_on_the_response_topic_following_the_sdk_rules()
    {
        await _client.SetMethodHandlerAsync("SetFanState", (req, ctx) =>
        {
            var state = req.DataAsJson!.Trim('"');
            return Task.FromResult(state == "On"
                ? new MethodResponse(Encoding.UTF8.GetBytes("{\"result\":\"Executed direct method: SetFanState\"}"), 200)
                : new MethodResponse(Encoding.UTF8.GetBytes("{\"result\":\"Invalid parameter\"}"), 400));
        }, null);
        await _client.SetMethodHandlerAsync("explode", (_, _) => throw new InvalidOperationException("boom"), null);

        Assert.Equal((200, "{\"result\":\"Executed direct method: SetFanState\"}"), await _hub.InvokeMethodAsync("SetFanState", "\"On\""));
        Assert.Equal((400, "{\"result\":\"Invalid parameter\"}"), await _hub.InvokeMethodAsync("SetFanState", "\"Sideways\""));
        Assert.Equal(501, (await _hub.InvokeMethodAsync("noSuchMethod", "{}")).Status);
        Assert.Equal(400, (await _hub.InvokeMethodAsync("SetFanState", "{not json")).Status);
        Assert.Equal(500, (await _hub.InvokeMethodAsync("explode", "null")).Status);

        await _client.SetMethodDefaultHandlerAsync((req, _) => Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes($"\"{req.Name}\""), 202)), null);
        Assert.Equal((202, "\"noSuchMethod\""), await _hub.InvokeMethodAsync("noSuchMethod", "{}"));
        Assert.Single(_hub.Snapshot(h => h.Subscriptions.Where(s => s == "$iothub/methods/POST/#").ToList()));
    }

    [Fact]
    public async Task A_slow_method_handler_does_not_block_twin_traffic()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _client.SetMethodHandlerAsync("slow", async (_, _) => { await release.Task; return new MethodResponse(200); }, null);
        var call = _hub.InvokeMethodAsync("slow", "null");
        var twin = await _client.GetTwinAsync(); // would hang if the handler ran on the receive loop
        Assert.Equal(1, twin.Properties.Desired.Version);
        release.SetResult();
        Assert.Equal(200, (await call).Status);
    }

    [Fact]
    public async Task Telemetry_goes_out_at_qos1_with_the_property_bag()
    {
        using var message = new Message(Encoding.ASCII.GetBytes("{\"temperature\":70.1}"))
        {
            MessageId = "m-1", ContentType = "application/json", ContentEncoding = "utf-8",
        };
        message.Properties["sensorID"] = "S1";
        message.Properties["note"] = "a&b=c d/e";
        await _client.SendEventAsync(message);
        await _client.SendEventBatchAsync([new Message("one"), new Message("two")]);

        var sent = _hub.Snapshot(h => h.Telemetry.ToList());
        Assert.Equal(3, sent.Count);
        var (topic, body, qos) = sent[0];
        Assert.Equal($"devices/{_hub.DeviceId}/messages/events/%24.mid=m-1&%24.ct=application%2Fjson&%24.ce=utf-8&sensorID=S1&note=a%26b%3Dc%20d%2Fe", topic);
        Assert.Equal("{\"temperature\":70.1}", Encoding.ASCII.GetString(body));
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, qos);
        var decoded = PropertyBag.ToMessage(body, topic[$"devices/{_hub.DeviceId}/messages/events/".Length..]);
        Assert.Equal("a&b=c d/e", decoded.Properties["note"]);
        Assert.Equal(["one", "two"], sent.Skip(1).Select(t => Encoding.UTF8.GetString(t.Body)));
    }

    [Fact]
    public async Task Oversized_telemetry_is_refused_and_nothing_is_sent()
    {
        await _client.OpenAsync();
        await Assert.ThrowsAsync<MessageTooLargeException>(() => _client.SendEventAsync(new Message(new byte[300 * 1024])));
        await Assert.ThrowsAsync<MessageTooLargeException>(() => _client.SendEventBatchAsync([new Message("ok"), new Message(new byte[300 * 1024])]));
        await _client.SendEventAsync(new Message("after"));
        Assert.Equal(["after"], _hub.Snapshot(h => h.Telemetry.Select(t => Encoding.UTF8.GetString(t.Body)).ToList()));
    }

    [Fact]
    public async Task Cloud_to_device_messages_arrive_with_properties_and_are_acknowledged_on_delivery()
    {
        var first = _client.ReceiveAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        await _hub.WaitUntilAsync(h => h.Subscriptions.Contains($"devices/{_hub.DeviceId}/messages/devicebound/#"), "the C2D subscription");
        await _hub.SendCloudToDeviceAsync("hello", "%24.mid=c2d-1&%24.to=%2Fdevices%2Fdevice-1%2Fmessages%2Fdevicebound&iothub-ack=full&color=red%20%26%20blue");
        var message = await first;
        Assert.Equal("hello", Encoding.UTF8.GetString(message.GetBytes()));
        Assert.Equal("c2d-1", message.MessageId);
        Assert.Equal("/devices/device-1/messages/devicebound", message.To);
        Assert.Equal("red & blue", message.Properties["color"]);
        await _client.CompleteAsync(message);
        await _hub.WaitUntilAsync(h => h.AcknowledgedTopics.Any(t => t.Contains("c2d-1")), "the PUBACK for the C2D message");

        var handled = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _client.SetReceiveMessageHandlerAsync((m, _) => { handled.TrySetResult(m); return Task.CompletedTask; }, null);
        await _hub.SendCloudToDeviceAsync("second", "%24.mid=c2d-2");
        Assert.Equal("c2d-2", (await handled.Task.WaitAsync(TimeSpan.FromSeconds(20))).MessageId);
        await _hub.WaitUntilAsync(h => h.AcknowledgedTopics.Any(t => t.Contains("c2d-2")), "the PUBACK for the handled message");
        await Assert.ThrowsAsync<NotSupportedException>(() => _client.RejectAsync(message));
    }

    [Fact]
    public async Task Closing_reports_disabled_and_the_client_can_open_again()
    {
        var statuses = new List<(ConnectionStatus, ConnectionStatusChangeReason)>();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.SetConnectionStatusChangesHandler((s, r) => { lock (statuses) statuses.Add((s, r)); if (s == ConnectionStatus.Disabled) closed.TrySetResult(); });
        await _client.OpenAsync();
        await _client.CloseAsync();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ConnectionStatus.Disabled, _client.ConnectionStatus);
        lock (statuses)
            Assert.Equal([(ConnectionStatus.Connected, ConnectionStatusChangeReason.Connection_Ok), (ConnectionStatus.Disabled, ConnectionStatusChangeReason.Client_Close)], statuses);
        var twin = await _client.GetTwinAsync();
        Assert.Equal(1, twin.Properties.Desired.Version);
        Assert.Equal(2, _hub.Snapshot(h => h.Connects.Count));
    }
}
