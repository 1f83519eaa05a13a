using System.Text;

namespace IotLabKit.Device.Tests.Unit;

public class PropertyBagTests
{
    [Fact]
    public void System_properties_come_first_with_dollar_names_encoded()
    {
        var message = new Message("{}") { MessageId = "mid-1", CorrelationId = "cid-1", ContentType = "application/json", ContentEncoding = "utf-8" };
        message.Properties["alert"] = "yes please";
        Assert.Equal("%24.mid=mid-1&%24.cid=cid-1&%24.ct=application%2Fjson&%24.ce=utf-8&alert=yes%20please", PropertyBag.Encode(message));
    }

    [Fact]
    public void A_message_without_properties_has_an_empty_bag()
        => Assert.Equal("", PropertyBag.Encode(new Message("x")));

    [Theory]
    [InlineData("a&b=c", "x=y&z")]
    [InlineData("percent%20literal", "100% sure")]
    [InlineData("slash/and?query", "/devices/d1/messages/devicebound")]
    [InlineData("unicode-ключ", "température 21°C ✓")]
    [InlineData("plus+sign", "a+b=c")]
    [InlineData("$.notsystem", "#hash;semi,comma")]
    [InlineData("empty", "")]
    public void Application_properties_round_trip_with_special_characters(string key, string value)
    {
        var message = new Message("body");
        message.Properties[key] = value;
        var bag = PropertyBag.Encode(message);
        Assert.DoesNotContain('/', bag);
        Assert.DoesNotContain('#', bag);
        Assert.DoesNotContain('+', bag);
        var back = PropertyBag.ToMessage(Encoding.UTF8.GetBytes("body"), bag);
        Assert.Equal(value, back.Properties[key]);
    }

    [Fact]
    public void All_system_properties_round_trip()
    {
        var created = new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);
        var message = new Message("b")
        {
            MessageId = "m&1", CorrelationId = "c=2", UserId = "u 3", To = "/devices/d1/messages/deviceBound",
            ContentType = "application/json; charset=utf-8", ContentEncoding = "utf-8", MessageSchema = "s1",
            ComponentName = "thermostat1", CreationTimeUtc = created, ExpiryTimeUtc = created.AddHours(1),
        };
        var back = PropertyBag.ToMessage([], PropertyBag.Encode(message));
        Assert.Equal(message.MessageId, back.MessageId);
        Assert.Equal(message.CorrelationId, back.CorrelationId);
        Assert.Equal(message.UserId, back.UserId);
        Assert.Equal(message.To, back.To);
        Assert.Equal(message.ContentType, back.ContentType);
        Assert.Equal(message.ContentEncoding, back.ContentEncoding);
        Assert.Equal(message.MessageSchema, back.MessageSchema);
        Assert.Equal(message.ComponentName, back.ComponentName);
        Assert.Equal(created, back.CreationTimeUtc);
        Assert.Equal(created.AddHours(1), back.ExpiryTimeUtc);
        Assert.Empty(back.Properties);
    }

    [Fact]
    public void Hub_cloud_to_device_bag_decodes_as_observed()
    {
        var bag = "%24.mid=2c2d&%24.to=%2Fdevices%2Fpubsub%2Fmessages%2Fdevicebound&%24.ce=utf-8&iothub-ack=full&property1=value1&flag&blank=";
        var message = PropertyBag.ToMessage([], bag);
        Assert.Equal("2c2d", message.MessageId);
        Assert.Equal("2c2d", message.LockToken);
        Assert.Equal("/devices/pubsub/messages/devicebound", message.To);
        Assert.Equal("utf-8", message.ContentEncoding);
        Assert.Equal("full", message.Properties["iothub-ack"]);
        Assert.Equal("value1", message.Properties["property1"]);
        Assert.Equal("", message.Properties["flag"]);
        Assert.Equal("", message.Properties["blank"]);
    }

    [Fact]
    public void Unencoded_dollar_names_and_a_leading_question_mark_are_read_too()
    {
        var message = PropertyBag.ToMessage([], "?$.mid=abc&$.cid=def");
        Assert.Equal("abc", message.MessageId);
        Assert.Equal("def", message.CorrelationId);
    }

    [Fact]
    public void Null_values_encode_as_bare_keys()
    {
        Assert.Equal("a&b=", PropertyBag.Encode([new("a", null), new("b", "")]));
        var decoded = PropertyBag.Decode("a&b=");
        Assert.Null(decoded[0].Value);
        Assert.Equal("", decoded[1].Value);
    }
}
