using IotLabKit.Emulator.Mqtt;

namespace IotLabKit.UnitTests.Emulator.Mqtt;

public sealed class MqttUserNameAndBagTests
{
    [Theory]
    [InlineData("hub.local/d1/?api-version=2021-04-12&DeviceClientType=azure-iot-device%2F1.18.4%20(node)", "hub.local", "d1", null, "2021-04-12")]
    [InlineData("localhost:8443/d1/?api-version=2020-09-30&DeviceClientType=x", "localhost:8443", "d1", null, "2020-09-30")]
    [InlineData("h/d1/m1/?api-version=2019-10-01", "h", "d1", "m1", "2019-10-01")]
    [InlineData("h/d?1/?api-version=2021-04-12", "h", "d?1", null, "2021-04-12")]
    [InlineData("h/d1/", "h", "d1", null, null)]
    [InlineData("h/d1", "h", "d1", null, null)]
    public void Parses_the_sdks_user_names(string userName, string host, string deviceId, string? moduleId, string? apiVersion)
    {
        Assert.True(MqttUserName.TryParse(userName, out var name, out var error), error);
        Assert.Equal(host, name!.Host);
        Assert.Equal(deviceId, name.DeviceId);
        Assert.Equal(moduleId, name.ModuleId);
        Assert.Equal(apiVersion, name.ApiVersion);
    }

    [Fact]
    public void Reads_model_id_and_decodes_the_client_type()
    {
        Assert.True(MqttUserName.TryParse("h/d/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1&DeviceClientType=a%2F1", out var name, out _));
        Assert.Equal("dtmi:com:example:Thermostat;1", name!.ModelId);
        Assert.Equal("a/1", name.Parameters["DeviceClientType"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("nohost")]
    [InlineData("/d1/?api-version=1")]
    [InlineData("h//?api-version=1")]
    [InlineData("h/a/b/c/?api-version=1")]
    public void Rejects_other_shapes(string? userName)
    {
        Assert.False(MqttUserName.TryParse(userName, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Decodes_property_bags_with_system_properties_nulls_and_empties()
    {
        Assert.True(MqttPropertyBag.TryDecode("%24.mid=m-1&%24.ct=application%2Fjson&alert=yes%20please&flag&empty=", out var pairs, out _));
        Assert.Equal(
            [new("$.mid", "m-1"), new("$.ct", "application/json"), new("alert", "yes please"), new("flag", null), new("empty", "")],
            pairs);
    }

    [Fact]
    public void A_leading_question_mark_is_part_of_the_first_key_as_on_the_hub()
    {
        Assert.True(MqttPropertyBag.TryDecode("?a=1&b=2", out var pairs, out _));
        Assert.Equal("?a", pairs[0].Key);
    }

    [Fact]
    public void Empty_bag_has_no_properties()
    {
        Assert.True(MqttPropertyBag.TryDecode("", out var pairs, out _));
        Assert.Empty(pairs);
    }
}
