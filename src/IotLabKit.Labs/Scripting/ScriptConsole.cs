using System.Text;

namespace IotLabKit.Labs.Scripting;

/// <summary>
/// Routes Console output to the script that wrote it. Once installed, Console.Out and Console.Error are writers
/// that look up the current script in an <see cref="AsyncLocal{T}"/> (which flows into the script's tasks, timers
/// and client callbacks) and hand the text to that script's <see cref="ScriptOutput"/>; text written by anything
/// else goes to the original console unchanged.
/// </summary>
public static class ScriptConsole
{
    private static readonly AsyncLocal<ScriptOutput?> CurrentOutput = new();
    private static readonly object Gate = new();
    private static bool installed;

    /// <summary>The output of the script running on this flow, or null outside scripts.</summary>
    public static ScriptOutput? Current => CurrentOutput.Value;

    /// <summary>Makes <paramref name="output"/> current for this flow (call inside the script's own task).</summary>
    internal static void Enter(ScriptOutput output)
    {
        Install();
        CurrentOutput.Value = output;
    }

    /// <summary>Puts the routing writers in place once per process.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (installed) return;
            Console.SetOut(new RoutingWriter(Console.Out, isError: false));
            Console.SetError(new RoutingWriter(Console.Error, isError: true));
            installed = true;
        }
    }

    private sealed class RoutingWriter(TextWriter original, bool isError) : TextWriter
    {
        public override Encoding Encoding => original.Encoding;

        public override IFormatProvider FormatProvider => original.FormatProvider;

        public override string NewLine
        {
#pragma warning disable CS8765 // TextWriter.NewLine's setter accepts null; the original writer decides.
            get => original.NewLine;
            set => original.NewLine = value;
#pragma warning restore CS8765
        }

        public override void Write(char value)
        {
            if (Current is { } output) output.Write(value.ToString(), isError);
            else original.Write(value);
        }

        public override void Write(string? value)
        {
            if (Current is { } output) output.Write(value, isError);
            else original.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            if (Current is { } output) output.Write(new string(buffer, index, count), isError);
            else original.Write(buffer, index, count);
        }

        public override void WriteLine(string? value)
        {
            if (Current is { } output) output.Write(value + "\n", isError);
            else original.WriteLine(value);
        }

        public override void WriteLine()
        {
            if (Current is { } output) output.Write("\n", isError);
            else original.WriteLine();
        }

        public override void Flush()
        {
            if (Current is null) original.Flush();
        }
    }
}
