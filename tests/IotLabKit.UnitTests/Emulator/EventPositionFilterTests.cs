using IotLabKit.Emulator.Amqp;
using IotLabKit.Emulator.Core.Telemetry;

namespace IotLabKit.UnitTests.Emulator;

public sealed class EventPositionFilterTests
{
    [Theory]
    [InlineData(null, "Earliest")]
    [InlineData("amqp.annotation.x-opt-offset > '-1'", "Earliest")]
    [InlineData("amqp.annotation.x-opt-offset > '@latest'", "Latest")]
    public void Named_positions(string? expression, string expected)
    {
        var position = EventPositionFilter.Parse(expression);
        Assert.Equal(expected == "Earliest" ? TelemetryPosition.Earliest : TelemetryPosition.Latest, position);
    }

    [Fact]
    public void Offsets_and_sequence_numbers_honour_inclusive_and_exclusive()
    {
        Assert.Equal(TelemetryPosition.AfterOffset(120), EventPositionFilter.Parse("amqp.annotation.x-opt-offset > '120'"));
        Assert.Equal(TelemetryPosition.AfterOffset(119), EventPositionFilter.Parse("amqp.annotation.x-opt-offset >= '120'"));
        Assert.Equal(TelemetryPosition.FromSequenceNumber(8), EventPositionFilter.Parse("amqp.annotation.x-opt-sequence-number > 7"));
        Assert.Equal(TelemetryPosition.FromSequenceNumber(7), EventPositionFilter.Parse("amqp.annotation.x-opt-sequence-number >= '7'"));
    }

    [Fact]
    public void Enqueued_times_are_milliseconds_since_the_epoch_read_on_or_after()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_795_703_913_920);
        Assert.Equal(TelemetryPosition.FromEnqueuedTime(at), EventPositionFilter.Parse("amqp.annotation.x-opt-enqueued-time > '1795703913920'"));
    }

    [Theory]
    [InlineData("amqp.annotation.x-opt-partition-key > 'a'")]
    [InlineData("amqp.annotation.x-opt-offset > 'abc'")]
    [InlineData("sequence = 5")]
    public void Other_expressions_are_refused_with_a_message(string expression)
        => Assert.Contains("filter", Assert.Throws<FormatException>(() => EventPositionFilter.Parse(expression)).Message);

    [Fact]
    public void Partition_reader_addresses_parse_relative_and_absolute()
    {
        Assert.Equal(new EventHubAddress("hub", "$Default", "3"), EventHubAddress.TryParse("hub/ConsumerGroups/$Default/Partitions/3"));
        Assert.Equal(new EventHubAddress("hub", "$default", "0"), EventHubAddress.TryParse("amqps://localhost:5671/hub/consumergroups/$default/partitions/0"));
        Assert.Null(EventHubAddress.TryParse("$cbs"));
        Assert.Null(EventHubAddress.TryParse("/messages/devicebound"));
    }
}
