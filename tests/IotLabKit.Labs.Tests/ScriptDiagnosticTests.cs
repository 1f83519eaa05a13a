using IotLabKit.Labs.Scripting;

namespace IotLabKit.Labs.Tests;

/// <summary>How a compile error reads: file(line,col), the message, the student's line, a caret under the spot.</summary>
public sealed class ScriptDiagnosticTests
{
    [Fact]
    public void A_diagnostic_shows_the_line_and_a_caret_as_wide_as_the_span()
    {
        var diagnostic = new ScriptDiagnostic("/labs/x/Device.csx", 12, 9, "CS0103", "error",
            "The name 'deviceClent' does not exist in the current context", "        deviceClent.SendEventAsync(message);", 11);

        Assert.Equal(
            "Device.csx(12,9): error CS0103: The name 'deviceClent' does not exist in the current context" + Environment.NewLine
            + " 12 |         deviceClent.SendEventAsync(message);" + Environment.NewLine
            + "    |         ^^^^^^^^^^^",
            diagnostic.ToString());
    }

    [Fact]
    public void Without_the_source_line_only_the_header_is_shown()
    {
        var diagnostic = new ScriptDiagnostic("/labs/x/Device.csx", 1, 1, "CS0006", "error", "Metadata file not found", null, 1);
        Assert.Equal("Device.csx(1,1): error CS0006: Metadata file not found", diagnostic.ToString());
    }

    [Fact]
    public void The_compiler_reports_every_error_in_source_order_with_its_place()
    {
        var path = Path.Combine(LabLoaderTests.RepoRoot(), "tests", "fixtures", "scripts", "Broken.csx");

        var ex = Assert.Throws<LabScriptCompilationException>(() => LabScriptCompiler.Compile(path));

        Assert.Equal([(4, 19, "CS0103"), (5, 14, "CS0029")], ex.Errors.Select(e => (e.Line, e.Column, e.Id)));
        Assert.Equal("Console.WriteLine(greting);", ex.Errors[0].SourceLine);
        Assert.Equal(7, ex.Errors[0].Length);
        Assert.StartsWith("The script 'Broken.csx' does not compile (2 errors):", ex.Message, StringComparison.Ordinal);
    }
}
