using IotLabKit.Emulator.Mqtt;
using MQTTnet.Protocol;

namespace IotLabKit.UnitTests.Emulator.Mqtt;

public sealed class DeviceTopicsTests
{
    [Theory]
    [InlineData("devices/d1/messages/events/", DevicePublishKind.Telemetry, null, "")]
    [InlineData("devices/d1/messages/events", DevicePublishKind.Telemetry, null, "")]
    [InlineData("devices/d1/messages/events/%24.mid=1&a=b", DevicePublishKind.Telemetry, null, "%24.mid=1&a=b")]
    [InlineData("devices/d2/messages/events/", DevicePublishKind.Unsupported, null, "")]
    [InlineData("devices/d1/messages/eventsX", DevicePublishKind.Unsupported, null, "")]
    [InlineData("$iothub/twin/GET/?$rid=7", DevicePublishKind.TwinGet, "7", "")]
    [InlineData("$iothub/twin/GET/?$rid=0f8a-uuid&x=1", DevicePublishKind.TwinGet, "0f8a-uuid", "")]
    [InlineData("$iothub/twin/PATCH/properties/reported/?$rid=abc", DevicePublishKind.TwinReportedPatch, "abc", "")]
    [InlineData("$iothub/twin/PATCH/properties/desired/?$rid=abc", DevicePublishKind.TwinUnknown, "abc", "")]
    [InlineData("$iothub/twin/GET/", DevicePublishKind.TwinUnknown, null, "")]
    [InlineData("$iothub/twin/GET/extra/?$rid=1", DevicePublishKind.TwinUnknown, "1", "")]
    [InlineData("$iothub/methods/POST/reboot/?$rid=1", DevicePublishKind.Unsupported, null, "")]
    [InlineData("random/topic", DevicePublishKind.Unsupported, null, "")]
    public void Classifies_device_publishes(string topic, DevicePublishKind kind, string? rid, string bag)
    {
        var publish = DeviceTopics.ClassifyPublish(topic, "d1");
        Assert.Equal(kind, publish.Kind);
        if (kind != DevicePublishKind.Unsupported) Assert.Equal(rid, publish.RequestId);
        Assert.Equal(bag, publish.PropertyBag);
    }

    [Theory]
    [InlineData("$iothub/methods/res/200/?$rid=12", 200, "12")]
    [InlineData("$iothub/methods/res/-1/?$rid=x", -1, "x")]
    [InlineData("$iothub/methods/res/501/?$rid=1&$version=3", 501, "1")]
    public void Reads_method_responses(string topic, int status, string rid)
    {
        var publish = DeviceTopics.ClassifyPublish(topic, "d1");
        Assert.Equal(DevicePublishKind.MethodResponse, publish.Kind);
        Assert.Equal(status, publish.Status);
        Assert.Equal(rid, publish.RequestId);
    }

    [Theory]
    [InlineData("$iothub/methods/res/abc/?$rid=1")]
    [InlineData("$iothub/methods/res/200/")]
    [InlineData("$iothub/methods/res/200/?$rid=")]
    public void Malformed_method_responses_are_unsupported(string topic)
        => Assert.Equal(DevicePublishKind.Unsupported, DeviceTopics.ClassifyPublish(topic, "d1").Kind);

    [Theory]
    [InlineData("$iothub/twin/res/#", DeviceSubscription.TwinResponses)]
    [InlineData("$iothub/twin/PATCH/properties/desired/#", DeviceSubscription.DesiredPatches)]
    [InlineData("$iothub/methods/POST/#", DeviceSubscription.MethodRequests)]
    [InlineData("devices/d1/messages/devicebound/#", DeviceSubscription.CloudToDevice)]
    [InlineData("devices/d2/messages/devicebound/#", null)]
    [InlineData("#", null)]
    [InlineData("$iothub/#", null)]
    [InlineData("devices/+/messages/devicebound/#", null)]
    public void Allows_only_the_device_s_own_filters(string filter, DeviceSubscription? expected)
        => Assert.Equal(expected, DeviceTopics.ClassifyFilter(filter, "d1"));

    [Fact]
    public void Builds_hub_topics_with_rid_first()
    {
        Assert.Equal("$iothub/twin/res/200/?$rid=a-b", DeviceTopics.TwinResponse(200, "a-b"));
        Assert.Equal("$iothub/twin/res/204/?$rid=9&$version=12", DeviceTopics.TwinResponse(204, "9", 12));
        Assert.Equal("$iothub/twin/PATCH/properties/desired/?$version=3", DeviceTopics.DesiredPatch(3));
        Assert.Equal("$iothub/methods/POST/reboot/?$rid=5", DeviceTopics.MethodRequest("reboot", "5"));
    }

    [Fact]
    public void SubAck_codes_are_put_back_in_filter_order()
    {
        // Filters requested at QoS 1, 2, 0, 1 are handled 2, 1, 1, 0 (stable).
        var requested = new[] { MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.ExactlyOnce, MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce };
        var handled = new[] { MqttSubscribeReasonCode.GrantedQoS1, MqttSubscribeReasonCode.UnspecifiedError, MqttSubscribeReasonCode.GrantedQoS1, MqttSubscribeReasonCode.GrantedQoS0 };
        Assert.Equal(
            [MqttSubscribeReasonCode.UnspecifiedError, MqttSubscribeReasonCode.GrantedQoS1, MqttSubscribeReasonCode.GrantedQoS0, MqttSubscribeReasonCode.GrantedQoS1],
            SubAckOrder.Restore(requested, handled));
    }
}
