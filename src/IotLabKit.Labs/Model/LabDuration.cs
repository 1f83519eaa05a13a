using System.Globalization;
using System.Text.RegularExpressions;

namespace IotLabKit.Labs.Model;

/// <summary>Durations as lab.json writes them: "hh:mm:ss", or a number with ms, s, m or h ("10s", "2m").</summary>
public static partial class LabDuration
{
    /// <summary>Reads <paramref name="text"/>; false when it is neither form.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var unit = WithUnit().Match(text.Trim());
        if (unit.Success)
        {
            var number = double.Parse(unit.Groups[1].Value, CultureInfo.InvariantCulture);
            value = unit.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromHours(number),
            };
            return true;
        }
        return Clock().IsMatch(text.Trim()) && TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out value);
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$")]
    private static partial Regex WithUnit();

    [GeneratedRegex(@"^[0-9]+:[0-5][0-9]:[0-5][0-9]$")]
    private static partial Regex Clock();
}
