using System.Globalization;

namespace IotLabKit.Service;

/// <summary>Where a <see cref="TelemetryReader"/> starts.</summary>
public sealed class TelemetryStartPosition
{
    private TelemetryStartPosition(string value) => QueryValue = value;

    /// <summary>Only messages that arrive from now on.</summary>
    public static TelemetryStartPosition Now { get; } = new("latest");

    /// <summary>The oldest message the hub still retains.</summary>
    public static TelemetryStartPosition Earliest { get; } = new("earliest");

    /// <summary>Messages enqueued at or after <paramref name="time"/>.</summary>
    public static TelemetryStartPosition FromEnqueuedTime(DateTimeOffset time)
        => new(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

    internal string QueryValue { get; }

    /// <inheritdoc />
    public override string ToString() => QueryValue;
}
