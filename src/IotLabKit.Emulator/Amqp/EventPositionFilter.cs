using System.Globalization;
using System.Text.RegularExpressions;
using IotLabKit.Emulator.Core.Telemetry;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// Event Hubs' start-position filter (the source filter <c>apache.org:selector-filter:string</c>, e.g.
/// <c>amqp.annotation.x-opt-offset &gt; '@latest'</c>) as a <see cref="TelemetryPosition"/>.
/// </summary>
public static partial class EventPositionFilter
{
    /// <summary>The filter's name in a source's filter set.</summary>
    public const string SelectorFilterName = "apache.org:selector-filter:string";

    /// <summary>The filter's numeric descriptor (0x0000468C00000004).</summary>
    public const ulong SelectorFilterCode = 0x0000468C00000004UL;

    /// <summary>Parses an expression; null or empty reads from the earliest event, as Event Hubs does.</summary>
    /// <exception cref="FormatException">The expression is not one Event Hubs clients send.</exception>
    public static TelemetryPosition Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return TelemetryPosition.Earliest;
        var match = Expression().Match(expression);
        if (!match.Success)
            throw new FormatException($"The filter '{expression}' is not an Event Hubs position (amqp.annotation.x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time > or >= a value).");
        var inclusive = match.Groups["op"].Value == ">=";
        var value = match.Groups["value"].Value;
        switch (match.Groups["name"].Value)
        {
            case "offset":
                if (value == "@latest") return TelemetryPosition.Latest;
                var offset = ParseLong(value, expression);
                if (offset < 0) return TelemetryPosition.Earliest;
                return TelemetryPosition.AfterOffset(inclusive ? offset - 1 : offset);
            case "sequence-number":
                var sequence = ParseLong(value, expression);
                return TelemetryPosition.FromSequenceNumber(inclusive ? sequence : sequence + 1);
            default:
                // Event Hubs reads "on or after" the time either way; the wire carries milliseconds while the store keeps
                // finer times, so an event's own (truncated) enqueued time must find that event again.
                return TelemetryPosition.FromEnqueuedTime(DateTimeOffset.FromUnixTimeMilliseconds(ParseLong(value, expression)));
        }
    }

    private static long ParseLong(string value, string expression)
        => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"The filter '{expression}' has '{value}' where a number belongs.");

    [GeneratedRegex(@"^\s*amqp\.annotation\.x-opt-(?<name>offset|sequence-number|enqueued-time)\s*(?<op>>=|>)\s*'?(?<value>[^']*)'?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Expression();
}
