using System.Globalization;

namespace IotLabKit.Simulation.Formats;

/// <summary>The timestamp formats simulated devices write into reported properties.</summary>
internal static class TwinTime
{
    /// <summary>
    /// Lab 16's format for <c>lastFwUpdateStartTime</c> and <c>lastFwUpdateEndTime</c>:
    /// <c>DateTime.Now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")</c>.
    /// </summary>
    public static string Firmware(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 UTC with milliseconds, as the device-management samples write <c>lastReboot</c> (JavaScript's <c>toISOString()</c>).</summary>
    public static string Iso(DateTimeOffset time)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
