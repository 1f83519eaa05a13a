using IotLabKit.Device.Mqtt;

namespace IotLabKit.Device.Tests.Unit;

public class HubTopicsTests
{
    [Theory]
    [InlineData("$iothub/twin/res/200/?$rid=abc", 200, "abc", null)]
    [InlineData("$iothub/twin/res/204/?$rid=ho&$version=88", 204, "ho", 88L)]
    [InlineData("$iothub/twin/res/429/?$rid=6f1c5f3e-2d8a-4a35-9c53-7a4f1f0b1c2d", 429, "6f1c5f3e-2d8a-4a35-9c53-7a4f1f0b1c2d", null)]
    [InlineData("$iothub/twin/res/400/?$rid=7&$version=3&extra=x", 400, "7", 3L)]
    public void Twin_response_topics_give_status_rid_and_version(string topic, int status, string rid, long? version)
    {
        Assert.True(HubTopics.TryParseTwinResponse(topic, out var s, out var r, out var v));
        Assert.Equal(status, s);
        Assert.Equal(rid, r);
        Assert.Equal(version, v);
    }

    [Theory]
    [InlineData("$iothub/twin/res/abc/?$rid=1")]
    [InlineData("$iothub/twin/res/200/$rid=1")]
    [InlineData("$iothub/twin/res/200/?$version=2")]
    [InlineData("$iothub/twin/res/")]
    [InlineData("$iothub/twin/PATCH/properties/desired/?$version=2")]
    public void Malformed_twin_responses_are_not_parsed(string topic)
        => Assert.False(HubTopics.TryParseTwinResponse(topic, out _, out _, out _));

    [Fact]
    public void Request_topics_put_rid_first()
    {
        Assert.Equal("$iothub/twin/GET/?$rid=r1", HubTopics.TwinGet("r1"));
        Assert.Equal("$iothub/twin/PATCH/properties/reported/?$rid=r2", HubTopics.ReportedPatch("r2"));
        Assert.Equal("$iothub/methods/res/501/?$rid=9", HubTopics.MethodResponse(501, "9"));
        Assert.Equal("devices/d1/messages/events/", HubTopics.Telemetry("d1", ""));
        Assert.Equal("devices/d1/messages/devicebound/#", HubTopics.CloudToDeviceFilter("d1"));
    }

    [Theory]
    [InlineData("$iothub/methods/POST/reboot/?$rid=1", "reboot", "1")]
    [InlineData("$iothub/methods/POST/SetFanState/?$rid=abc-def", "SetFanState", "abc-def")]
    public void Method_requests_give_name_and_rid(string topic, string name, string rid)
    {
        Assert.True(HubTopics.TryParseMethodRequest(topic, out var n, out var r));
        Assert.Equal(name, n);
        Assert.Equal(rid, r);
    }

    [Theory]
    [InlineData("$iothub/methods/POST/reboot/")]
    [InlineData("$iothub/methods/POST/reboot/?$rid=")]
    [InlineData("$iothub/methods/POST//?$rid=1")]
    [InlineData("$iothub/methods/POST/reboot/?rid=1")]
    public void Malformed_method_requests_are_not_parsed(string topic)
        => Assert.False(HubTopics.TryParseMethodRequest(topic, out _, out _));

    [Fact]
    public void Desired_patch_topics_carry_the_version()
    {
        Assert.True(HubTopics.TryParseDesiredPatch("$iothub/twin/PATCH/properties/desired/?$version=8", out var v));
        Assert.Equal(8, v);
        Assert.True(HubTopics.TryParseDesiredPatch("$iothub/twin/PATCH/properties/desired/", out var none));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("$iothub/twin/res/200/?$rid=1", nameof(HubTopicKind.TwinResponse))]
    [InlineData("$iothub/twin/PATCH/properties/desired/?$version=2", nameof(HubTopicKind.DesiredPatch))]
    [InlineData("$iothub/methods/POST/m/?$rid=1", nameof(HubTopicKind.MethodRequest))]
    [InlineData("devices/d1/messages/devicebound/%24.mid=1", nameof(HubTopicKind.CloudToDevice))]
    [InlineData("devices/d2/messages/devicebound/%24.mid=1", nameof(HubTopicKind.Unknown))]
    [InlineData("something/else", nameof(HubTopicKind.Unknown))]
    public void Publishes_from_the_hub_are_classified(string topic, string kind)
        => Assert.Equal(Enum.Parse<HubTopicKind>(kind), HubTopics.Classify(topic, "d1"));
}
