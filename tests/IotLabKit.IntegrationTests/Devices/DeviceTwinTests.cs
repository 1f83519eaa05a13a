extern alias DeviceSdk;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Devices;

/// <summary>The twin over MQTT against the same twin core as REST: GET, reported PATCH, desired notifications.</summary>
public sealed class DeviceTwinTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    [Fact]
    public async Task Device_gets_its_twin_and_its_reported_patch_shows_on_the_service_side()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        await hub.PatchDesiredAsync(id, new JsonObject { ["interval"] = 10 });
        await using var client = hub.NewClient(id, key);
        var twin = await client.GetTwinAsync();
        Assert.Equal(2, twin.Properties.Desired.Version);
        int interval = twin.Properties.Desired["interval"];
        Assert.Equal(10, interval);

        var reported = new TwinCollection();
        reported["firmware"] = "1.2.3";
        reported["nested"] = new TwinCollection("""{"a":{"b":true}}""");
        await client.UpdateReportedPropertiesAsync(reported);
        var service = await hub.GetJsonAsync($"/twins/{id}");
        Assert.Equal("1.2.3", (string?)service["properties"]!["reported"]!["firmware"]);
        Assert.True((bool)service["properties"]!["reported"]!["nested"]!["a"]!["b"]!);
        Assert.Equal(2, (long)service["properties"]!["reported"]!["$version"]!);
        Assert.NotNull(service["properties"]!["reported"]!["$metadata"]!["firmware"]!["$lastUpdated"]);

        var again = await client.GetTwinAsync();
        Assert.Equal(2, again.Properties.Reported.Version);
        string firmware = again.Properties.Reported["firmware"];
        Assert.Equal("1.2.3", firmware);
    }

    [Fact]
    public async Task Desired_changes_from_rest_reach_the_device_with_their_version_and_nulls_for_deletions()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        await using var client = hub.NewClient(id, key);
        var patches = System.Threading.Channels.Channel.CreateUnbounded<TwinCollection>();
        await client.SetDesiredPropertyUpdateCallbackAsync((desired, _) => { patches.Writer.TryWrite(desired); return Task.CompletedTask; }, null);

        await hub.PatchDesiredAsync(id, new JsonObject { ["speed"] = 5, ["mode"] = "eco" });
        var first = await patches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, first.Version);
        int speed = first["speed"];
        Assert.Equal(5, speed);

        await hub.PatchDesiredAsync(id, new JsonObject { ["mode"] = null });
        var second = await patches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, second.Version);
        Assert.True(second.Contains("mode"));
        Assert.Null((object?)second["mode"]?.Value);
    }

    [Fact]
    public async Task Raw_desired_notification_is_the_patch_with_version_and_no_metadata_and_errors_carry_errorCode()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var received = System.Threading.Channels.Channel.CreateUnbounded<MqttApplicationMessage>();
        client.ApplicationMessageReceivedAsync += e => { received.Writer.TryWrite(e.ApplicationMessage); return Task.CompletedTask; };
        await client.ConnectAsync(hub.RawOptions(id, key));
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce)
            .WithTopicFilter("$iothub/twin/PATCH/properties/desired/#", MqttQualityOfServiceLevel.AtMostOnce)
            .Build());

        await hub.PatchDesiredAsync(id, new JsonObject { ["telemetrySendFrequency"] = "5m", ["route"] = null });
        var patch = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("$iothub/twin/PATCH/properties/desired/?$version=2", patch.Topic);
        Assert.Equal("""{"telemetrySendFrequency":"5m","route":null,"$version":2}""", Encoding.UTF8.GetString(patch.Payload));

        // Node and Python send one space as the GET body.
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("$iothub/twin/GET/?$rid=42").WithPayload(" ").Build());
        var get = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("$iothub/twin/res/200/?$rid=42", get.Topic);
        var body = JsonNode.Parse(Encoding.UTF8.GetString(get.Payload))!.AsObject();
        Assert.Equal(["desired", "reported"], body.Select(p => p.Key).ToArray());
        Assert.Null(body["desired"]!["$metadata"]);
        Assert.Equal(2, (long)body["desired"]!["$version"]!);

        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("$iothub/twin/PATCH/properties/reported/?$rid=abc-1").WithPayload("{\"t\":21.5}").Build());
        var ok = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("$iothub/twin/res/204/?$rid=abc-1&$version=2", ok.Topic);
        Assert.Equal(0, ok.Payload.Length);

        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("$iothub/twin/PATCH/properties/reported/?$rid=bad").WithPayload("[1,2]").Build());
        var error = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("$iothub/twin/res/400/?$rid=bad", error.Topic);
        var errorBody = JsonNode.Parse(Encoding.UTF8.GetString(error.Payload))!.AsObject();
        Assert.Equal(400004, (int)errorBody["errorCode"]!);
        Assert.Contains("JSON object", (string)errorBody["message"]!);
    }

    [Fact]
    public async Task Desired_changes_while_offline_are_caught_up_by_the_client_after_reconnecting()
    {
        var (id, key) = await hub.CreateDeviceAsync();
        await using var client = hub.NewClient(id, key);
        var patches = System.Threading.Channels.Channel.CreateUnbounded<TwinCollection>();
        await client.SetDesiredPropertyUpdateCallbackAsync((desired, _) => { patches.Writer.TryWrite(desired); return Task.CompletedTask; }, null);
        await client.CloseAsync();
        await hub.PatchDesiredAsync(id, new JsonObject { ["while"] = "away" });
        await client.OpenAsync();
        var caughtUp = await patches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        string value = caughtUp["while"];
        Assert.Equal("away", value);
        Assert.Equal(2, caughtUp.Version);
    }
}
