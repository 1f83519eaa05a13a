using System.Text.Json.Nodes;
using IotLabKit.Simulation.Formats;

namespace IotLabKit.Simulation.Tests.Unit;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("\"30s\"", 30)]
    [InlineData("\"5m\"", 300)]
    [InlineData("\"1.5h\"", 5400)]
    [InlineData("\"1d\"", 86400)]
    [InlineData("\"500ms\"", 0.5)]
    [InlineData("\"2 minutes\"", 120)]
    [InlineData("\"PT5M\"", 300)]
    [InlineData("\"pt1h30m\"", 5400)]
    [InlineData("\"00:01:30\"", 90)]
    [InlineData("\"45\"", 45)]
    [InlineData("45", 45)]
    [InlineData("0.25", 0.25)]
    public void Reads_the_forms_people_write(string json, double seconds)
    {
        Assert.True(DurationText.TryParse(JsonNode.Parse(json), out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("\"often\"", "is not a duration")]
    [InlineData("\"5 fortnights\"", "is not a duration")]
    [InlineData("\"\"", "is not a duration")]
    [InlineData("\"-5m\"", "is not a duration")]
    [InlineData("\"0s\"", "out of range")]
    [InlineData("\"50ms\"", "out of range")]
    [InlineData("\"8d\"", "out of range")]
    [InlineData("0", "out of range")]
    [InlineData("true", "is not a duration")]
    [InlineData("{\"seconds\":5}", "not an object")]
    [InlineData("[5]", "not an array")]
    public void Refuses_what_a_device_cannot_use_and_says_why(string json, string reason)
    {
        Assert.False(DurationText.TryParse(JsonNode.Parse(json), out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Refuses_null()
    {
        Assert.False(DurationText.TryParse(null, out _, out var error));
        Assert.Contains("not null", error);
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(60, "1m")]
    [InlineData(90, "90s")]
    [InlineData(7200, "2h")]
    [InlineData(86400, "1d")]
    [InlineData(0.5, "500ms")]
    public void Writes_durations_as_people_type_them(double seconds, string text)
    {
        Assert.Equal(text, DurationText.Format(TimeSpan.FromSeconds(seconds)));
        Assert.True(DurationText.TryParse(JsonValue.Create(text), out var back, out _));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}
