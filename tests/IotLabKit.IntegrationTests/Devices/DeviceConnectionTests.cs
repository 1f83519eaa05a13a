extern alias DeviceSdk;
using IotLabKit.Testing;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Devices;

/// <summary>The MQTT endpoint's CONNECT rules and connection state, with our device client and raw MQTT clients.</summary>
public sealed class DeviceConnectionTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    [Theory]
    [InlineData(false, TransportType.Mqtt)]
    [InlineData(true, TransportType.Mqtt)]
    [InlineData(false, TransportType.Mqtt_WebSocket_Only)]
    public async Task Device_connects_on_the_https_port_the_mqtt_port_and_websocket_and_shows_as_connected(bool viaMqttPort, TransportType transport)
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var before = DateTimeOffset.UtcNow;
        await using var client = hub.NewClient(id, key, viaMqttPort, transport);
        await client.OpenAsync();
        Assert.Equal(ConnectionStatus.Connected, client.ConnectionStatus);

        var device = await Eventually.WaitAsync(() => hub.GetJsonAsync($"/devices/{id}"),
            d => (string?)d["connectionState"] == "Connected", "the device shows as connected");
        Assert.True(DateTimeOffset.Parse((string)device["connectionStateUpdatedTime"]!) >= before.AddSeconds(-1));
        Assert.True(DateTimeOffset.Parse((string)device["lastActivityTime"]!) >= before.AddSeconds(-1));
        var twin = await hub.GetJsonAsync($"/twins/{id}");
        Assert.Equal("Connected", (string?)twin["connectionState"]);
        var stats = await hub.GetJsonAsync("/statistics/service");
        Assert.True((long)stats["connectedDeviceCount"]! >= 1);

        await client.CloseAsync();
        await Eventually.WaitAsync(() => hub.GetJsonAsync($"/devices/{id}"),
            d => (string?)d["connectionState"] == "Disconnected", "the device shows as disconnected after close");
    }

    [Fact]
    public async Task Wrong_key_and_another_devices_key_are_refused_as_unauthorized()
    {
        var (id, _) = await hub.CreateDeviceAsync();
        var (_, otherKey) = await hub.CreateDeviceAsync();
        await using var wrong = hub.NewClient(id, Convert.ToBase64String(new byte[32]));
        await Assert.ThrowsAsync<UnauthorizedException>(() => wrong.OpenAsync());
        await using var other = hub.NewClient(id, otherKey);
        await Assert.ThrowsAsync<UnauthorizedException>(() => other.OpenAsync());
    }

    [Fact]
    public async Task Unknown_and_disabled_devices_get_connack_not_authorized()
    {
        var (disabled, key) = await hub.CreateDeviceAsync(status: "disabled");
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var refused = await client.ConnectAsync(hub.RawOptions(disabled, key));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, refused.ResultCode);

        var policyToken = SharedAccessSignature.Create(hub.Emulator.HostNameWithPort, hub.Emulator.Status.Policies["device"], "device", DateTimeOffset.UtcNow.AddHours(1));
        using var unknown = factory.CreateMqttClient();
        refused = await unknown.ConnectAsync(hub.RawOptions("no-such-device", key, password: policyToken));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, refused.ResultCode);
    }

    [Fact]
    public async Task Policy_token_with_DeviceConnect_connects_and_any_sdk_api_version_and_model_id_is_accepted()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var host = hub.Emulator.HostNameWithPort;
        var policyToken = SharedAccessSignature.Create($"{host}/devices/{id}", hub.Emulator.Status.Policies["device"], "device", DateTimeOffset.UtcNow.AddHours(1));
        var factory = new MqttClientFactory();
        foreach (var userName in new[]
                 {
                     $"{host}/{id}/?api-version=2020-09-30&DeviceClientType=com.microsoft.azure.devices.client%2F1.0",
                     $"localhost/{id}/?api-version=2019-10-01&DeviceClientType=py-azure-iot-device%2F2.14.0",
                     $"{host}/{id}/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1&DeviceClientType=azure-iot-device%2F1.18.4",
                 })
        {
            using var client = factory.CreateMqttClient();
            var result = await client.ConnectAsync(hub.RawOptions(id, key, userName: userName, password: policyToken));
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await client.DisconnectAsync();
        }

        var serviceOnly = SharedAccessSignature.Create(host, hub.Emulator.Status.Policies["service"], "service", DateTimeOffset.UtcNow.AddHours(1));
        using var refused = factory.CreateMqttClient();
        var failure = await refused.ConnectAsync(hub.RawOptions(id, key, password: serviceOnly));
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, failure.ResultCode);
    }

    [Fact]
    public async Task Malformed_user_name_and_mqtt_5_are_refused()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var factory = new MqttClientFactory();
        using var badName = factory.CreateMqttClient();
        var failure = await badName.ConnectAsync(hub.RawOptions(id, key, userName: $"{hub.Emulator.HostNameWithPort}/someone-else/?api-version=2021-04-12"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, failure.ResultCode);
        using var v5 = factory.CreateMqttClient();
        failure = await v5.ConnectAsync(hub.RawOptions(id, key, protocol: MqttProtocolVersion.V500));
        Assert.Equal(MqttClientConnectResultCode.UnsupportedProtocolVersion, failure.ResultCode);
    }

    [Fact]
    public async Task A_second_connection_drops_the_first_and_the_device_stays_connected()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var factory = new MqttClientFactory();
        using var first = factory.CreateMqttClient();
        var firstDropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.DisconnectedAsync += _ => { firstDropped.TrySetResult(); return Task.CompletedTask; };
        await first.ConnectAsync(hub.RawOptions(id, key));
        using var second = factory.CreateMqttClient();
        await second.ConnectAsync(hub.RawOptions(id, key));
        await firstDropped.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(second.IsConnected);
        var device = await hub.GetJsonAsync($"/devices/{id}");
        Assert.Equal("Connected", (string?)device["connectionState"]);
    }

    [Fact]
    public async Task Qos2_publish_closes_the_connection_and_foreign_topics_are_refused()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var (other, _) = await hub.CreateDeviceAsync();
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        await client.ConnectAsync(hub.RawOptions(id, key));

        var subscribe = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"devices/{other}/messages/devicebound/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("$iothub/methods/POST/#", MqttQualityOfServiceLevel.ExactlyOnce)
            .WithTopicFilter("#", MqttQualityOfServiceLevel.AtMostOnce)
            .Build());
        var codes = subscribe.Items.ToDictionary(i => i.TopicFilter.Topic, i => i.ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, codes[$"devices/{other}/messages/devicebound/#"]);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, codes["$iothub/methods/POST/#"]);
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, codes["#"]);

        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += _ => { dropped.TrySetResult(); return Task.CompletedTask; };
        try
        {
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{id}/messages/events/")
                .WithPayload("x").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.ExactlyOnce).Build());
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
            // The hub may close the connection before the publish flow completes.
        }
        await dropped.Task.WaitAsync(TimeSpan.FromSeconds(20));

        using var foreign = factory.CreateMqttClient();
        var foreignDropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreign.DisconnectedAsync += _ => { foreignDropped.TrySetResult(); return Task.CompletedTask; };
        await foreign.ConnectAsync(hub.RawOptions(id, key));
        try
        {
            await foreign.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{other}/messages/events/")
                .WithPayload("spoof").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or MQTTnet.Exceptions.MqttClientNotConnectedException)
        {
        }
        await foreignDropped.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Subscriptions_survive_disconnect_with_a_persistent_session_and_not_with_a_clean_one()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var factory = new MqttClientFactory();
        using (var first = factory.CreateMqttClient())
        {
            await first.ConnectAsync(hub.RawOptions(id, key));
            await first.SubscribeAsync("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce);
            await first.DisconnectAsync();
        }

        using var again = factory.CreateMqttClient();
        var request = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        again.ApplicationMessageReceivedAsync += e => { request.TrySetResult(e.ApplicationMessage); return Task.CompletedTask; };
        var connected = await again.ConnectAsync(hub.RawOptions(id, key));
        Assert.True(connected.IsSessionPresent);

        var call = hub.InvokeMethodAsync(id, """{"methodName":"ping","payload":{"n":1},"responseTimeoutInSeconds":30}""");
        var delivered = await request.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Matches(@"^\$iothub/methods/POST/ping/\?\$rid=\d+$", delivered.Topic);
        var rid = delivered.Topic[(delivered.Topic.IndexOf("=", StringComparison.Ordinal) + 1)..];
        await again.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/methods/res/200/?$rid={rid}").WithPayload("{\"pong\":1}").Build());
        using var response = await call;
        var body = await EmulatorFixture.ReadOkAsync(response);
        Assert.Equal(1, (int)body["payload"]!["pong"]!);

        await again.DisconnectAsync();
        using var clean = factory.CreateMqttClient();
        var cleanResult = await clean.ConnectAsync(hub.RawOptions(id, key, cleanSession: true));
        Assert.False(cleanResult.IsSessionPresent);
        using var offline = await hub.InvokeMethodAsync(id, """{"methodName":"ping","responseTimeoutInSeconds":5}""");
        Assert.Equal(404, (int)offline.StatusCode);
    }

    [Fact]
    public async Task A_model_id_in_the_user_name_becomes_the_twin_s_modelId()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(hub.RawOptions(id, key,
            userName: $"{hub.Emulator.HostNameWithPort}/{id}/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1"));
        var twin = await Eventually.WaitAsync(() => hub.GetJsonAsync($"/twins/{id}"),
            t => (string?)t["modelId"] != "", "the twin shows the model id");
        Assert.Equal("dtmi:com:example:Thermostat;1", (string?)twin["modelId"]);
    }

    [Fact]
    public async Task A_repeated_subscribe_replaces_the_first_so_each_method_request_arrives_once()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        using var client = new MqttClientFactory().CreateMqttClient();
        var requests = System.Threading.Channels.Channel.CreateUnbounded<string>();
        client.ApplicationMessageReceivedAsync += e => { requests.Writer.TryWrite(e.ApplicationMessage.Topic); return Task.CompletedTask; };
        await client.ConnectAsync(hub.RawOptions(id, key));
        await client.SubscribeAsync("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce);
        await client.SubscribeAsync("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var call = hub.InvokeMethodAsync(id, """{"methodName":"once","responseTimeoutInSeconds":10}""");
        var topic = await requests.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var rid = topic[(topic.IndexOf('=') + 1)..];
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/methods/res/200/?$rid={rid}").Build());
        using var response = await call;
        Assert.Null((await EmulatorFixture.ReadOkAsync(response))["payload"]);
        // A second delivery would have been queued before the answer; the hub sent one request only.
        using var ping = await hub.InvokeMethodAsync(id, """{"methodName":"second","responseTimeoutInSeconds":5}""");
        var next = await requests.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("$iothub/methods/POST/second/", next);
    }

    [Fact]
    public async Task Deleting_or_disabling_a_connected_device_closes_its_connection()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += _ => { dropped.TrySetResult(); return Task.CompletedTask; };
        await client.ConnectAsync(hub.RawOptions(id, key));
        var device = await hub.GetJsonAsync($"/devices/{id}");
        device["status"] = "disabled";
        var request = new HttpRequestMessage(HttpMethod.Put, $"/devices/{id}?api-version=2021-04-12")
        {
            Content = new StringContent(device.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", hub.Emulator.CreateServiceToken());
        request.Headers.TryAddWithoutValidation("If-Match", "*");
        using (var response = await hub.Http.SendAsync(request)) await EmulatorFixture.ReadOkAsync(response);
        await dropped.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var (deleted, deletedKey) = await hub.CreateDeviceAsync();
        using var other = factory.CreateMqttClient();
        var otherDropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        other.DisconnectedAsync += _ => { otherDropped.TrySetResult(); return Task.CompletedTask; };
        await other.ConnectAsync(hub.RawOptions(deleted, deletedKey));
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/devices/{deleted}?api-version=2021-04-12");
        delete.Headers.TryAddWithoutValidation("Authorization", hub.Emulator.CreateServiceToken());
        delete.Headers.TryAddWithoutValidation("If-Match", "*");
        using (var response = await hub.Http.SendAsync(delete)) Assert.True(response.IsSuccessStatusCode);
        await otherDropped.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
