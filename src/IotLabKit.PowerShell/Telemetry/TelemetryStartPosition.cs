using System.Globalization;
using System.Management.Automation;
using Azure.Messaging.EventHubs.Consumer;

namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// Where Receive-IotTelemetry starts reading each partition: <c>Latest</c> (messages enqueued from the moment the
/// command starts), <c>Earliest</c> (the oldest message the hub retains), an enqueued time (a DateTime), or an offset
/// (a number: the messages after that offset, in the one partition given with -Partition).
/// </summary>
public sealed class TelemetryStartPosition
{
    private TelemetryStartPosition(TelemetryStartKind kind, DateTimeOffset? time = null, string? offset = null)
    {
        Kind = kind;
        EnqueuedTime = time;
        Offset = offset;
    }

    /// <summary>Messages enqueued from the moment the command starts.</summary>
    public static TelemetryStartPosition Latest { get; } = new(TelemetryStartKind.Latest);

    /// <summary>The oldest message the hub retains.</summary>
    public static TelemetryStartPosition Earliest { get; } = new(TelemetryStartKind.Earliest);

    /// <summary>What kind of position this is.</summary>
    public TelemetryStartKind Kind { get; }

    /// <summary>For <see cref="TelemetryStartKind.EnqueuedTime"/>: messages enqueued at or after this time.</summary>
    public DateTimeOffset? EnqueuedTime { get; }

    /// <summary>For <see cref="TelemetryStartKind.Offset"/>: messages after this offset.</summary>
    public string? Offset { get; }

    /// <summary>Messages enqueued at or after <paramref name="time"/> (a time without a kind is local time).</summary>
    public static TelemetryStartPosition FromEnqueuedTime(DateTime time)
        => new(TelemetryStartKind.EnqueuedTime, time.Kind == DateTimeKind.Unspecified
            ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Local))
            : new DateTimeOffset(time));

    /// <summary>Messages after <paramref name="offset"/> (a partition's offset, as a record's Offset shows it).</summary>
    public static TelemetryStartPosition AfterOffset(string offset) => new(TelemetryStartKind.Offset, offset: offset);

    /// <summary>
    /// Reads what a user typed: <c>Earliest</c>, <c>Latest</c> (or <c>Now</c>), a whole number (an offset), or a
    /// date and time; throws <see cref="FormatException"/> saying what is accepted.
    /// </summary>
    public static TelemetryStartPosition Parse(object? value)
    {
        value = value is PSObject ps ? ps.BaseObject : value;
        switch (value)
        {
            case TelemetryStartPosition position: return position;
            case DateTime time: return FromEnqueuedTime(time);
            case DateTimeOffset time: return new(TelemetryStartKind.EnqueuedTime, time);
            case int or long or uint or ulong or short or ushort or byte:
                var number = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                if (number < 0) break;
                return AfterOffset(number.ToString(CultureInfo.InvariantCulture));
            case string text:
                text = text.Trim();
                if (text.Equals("Earliest", StringComparison.OrdinalIgnoreCase)) return Earliest;
                if (text.Equals("Latest", StringComparison.OrdinalIgnoreCase) || text.Equals("Now", StringComparison.OrdinalIgnoreCase)) return Latest;
                if (text.Length > 0 && text.All(char.IsAsciiDigit)) return AfterOffset(text);
                if (DateTime.TryParse(text, CultureInfo.CurrentCulture, DateTimeStyles.None, out var local)
                    || DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out local))
                    return FromEnqueuedTime(local);
                break;
        }
        throw new FormatException($"'{value}' is not a start position: use Earliest, Latest, a date and time (messages enqueued at or after it), or an offset (a whole number, with -Partition).");
    }

    /// <summary>The Event Hubs position; <paramref name="startedAt"/> is when the command started (for Latest).</summary>
    internal EventPosition ToEventPosition(DateTimeOffset startedAt) => Kind switch
    {
        TelemetryStartKind.Earliest => EventPosition.Earliest,
        // Lab 15's operator starts at EventPosition.FromEnqueuedTime(DateTime.Now): unlike EventPosition.Latest it
        // also delivers what arrives while the partition links are still attaching.
        TelemetryStartKind.Latest => EventPosition.FromEnqueuedTime(startedAt),
        TelemetryStartKind.EnqueuedTime => EventPosition.FromEnqueuedTime(EnqueuedTime!.Value),
        _ => EventPosition.FromOffset(Offset!, isInclusive: false),
    };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        TelemetryStartKind.EnqueuedTime => EnqueuedTime!.Value.ToString("o", CultureInfo.InvariantCulture),
        TelemetryStartKind.Offset => $"after offset {Offset}",
        _ => Kind.ToString(),
    };
}

/// <summary>The kinds of <see cref="TelemetryStartPosition"/>.</summary>
public enum TelemetryStartKind
{
    /// <summary>From the moment the command starts.</summary>
    Latest,
    /// <summary>The oldest retained message.</summary>
    Earliest,
    /// <summary>Messages enqueued at or after a time.</summary>
    EnqueuedTime,
    /// <summary>Messages after an offset.</summary>
    Offset,
}

/// <summary>Turns what the user typed for -StartPosition into a <see cref="TelemetryStartPosition"/>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TelemetryStartPositionTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        try { return TelemetryStartPosition.Parse(inputData); }
        catch (FormatException ex) { throw new ArgumentTransformationMetadataException(ex.Message, ex); }
    }
}
