using IotLabKit.Labs.Scripting;

// In the global namespace on purpose: the course's apps call ConsoleHelper.WriteGreenMessage(...) with no using,
// and lab scripts read the same.

/// <summary>
/// The course's coloured console output for lab scripts (green = OK, red = a problem, yellow = a heading). Inside a
/// lab script each call is one line of that script's output, shown in colour by the runner.
/// </summary>
public static class ConsoleHelper
{
    /// <summary>Writes <paramref name="text"/> as a line in <paramref name="color"/>.</summary>
    public static void WriteColorMessage(string text, ConsoleColor color)
    {
        if (ScriptConsole.Current is { } output)
        {
            output.WriteLine(text, color);
            return;
        }
        var previous = Console.ForegroundColor;
        Console.ForegroundColor = color;
        Console.WriteLine(text);
        Console.ForegroundColor = previous;
    }

    /// <summary>Writes a green line (something worked).</summary>
    public static void WriteGreenMessage(string text) => WriteColorMessage(text, ConsoleColor.Green);

    /// <summary>Writes a red line (a problem).</summary>
    public static void WriteRedMessage(string text) => WriteColorMessage(text, ConsoleColor.Red);

    /// <summary>Writes a yellow line (a heading).</summary>
    public static void WriteYellowMessage(string text) => WriteColorMessage(text, ConsoleColor.Yellow);
}
