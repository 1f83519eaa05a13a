using System.Globalization;

namespace IotLabKit.Emulator.Core;

/// <summary>How the hub writes timestamps: UTC ISO 8601 with seven fractional digits, like the real service.</summary>
public static class WireTime
{
    /// <summary>What the hub writes for a time that was never set.</summary>
    public const string Unset = "0001-01-01T00:00:00Z";

    /// <summary>Formats a time the way the hub does (<c>2023-01-02T21:42:14.7050295Z</c>).</summary>
    public static string Format(DateTimeOffset time)
        => time == DateTimeOffset.MinValue
            ? Unset
            : time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a time written by <see cref="Format"/> (or any ISO 8601 form); MinValue when absent or unreadable.</summary>
    public static DateTimeOffset Parse(string? text)
        => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : DateTimeOffset.MinValue;
}
