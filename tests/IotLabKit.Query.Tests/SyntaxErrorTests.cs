namespace IotLabKit.Query.Tests;

/// <summary>Syntax errors say where they failed, what was found and what was expected.</summary>
public sealed class SyntaxErrorTests
{
    [Fact]
    public void Missing_from_names_position_token_and_expectation()
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse("SELECT deviceId WHERE tags.x = 1"));

        Assert.Equal(17, error.Position);
        Assert.Equal(1, error.Line);
        Assert.Equal(17, error.Column);
        Assert.Equal("WHERE", error.Token);
        Assert.Equal("FROM", error.Expected);
        Assert.Equal("Query syntax error: expected FROM after the select list at position 17, found 'WHERE'.", error.Message);
    }

    [Theory]
    [InlineData("", 0, null, "the query is empty")]
    [InlineData("   \n ", 0, null, "the query is empty")]
    [InlineData("FROM devices", 1, "FROM", "expected SELECT at the start of the query at position 1, found 'FROM'")]
    [InlineData("SELECT", 7, null, "expected '*' or a select list after SELECT at position 7, found the end of the query")]
    [InlineData("SELECT FROM devices", 8, "FROM", "expected '*' or a select list after SELECT at position 8, found 'FROM'")]
    [InlineData("SELECT TOP FROM devices", 12, "FROM", "expected a whole number after TOP at position 12, found 'FROM'")]
    [InlineData("SELECT TOP 1.5 * FROM devices", 12, "1.5", "TOP needs a whole number")]
    [InlineData("SELECT TOP -1 * FROM devices", 12, "-", "expected a whole number after TOP")]
    [InlineData("SELECT * FROM", 14, null, "expected a collection (devices, devices.modules or devices.jobs) after FROM at position 14, found the end of the query")]
    [InlineData("SELECT * FROM twins", 15, "twins", "expected a collection (devices, devices.modules or devices.jobs) after FROM")]
    [InlineData("SELECT * FROM devices.things", 23, "things", "expected modules or jobs after 'devices.'")]
    [InlineData("SELECT * FROM devices d", 23, "d", "expected WHERE, GROUP BY or the end of the query after the FROM clause at position 23, found 'd'")]
    [InlineData("SELECT * FROM devices WHERE", 28, null, "expected a value, property path or function call after 'WHERE' at position 28, found the end of the query")]
    [InlineData("SELECT * FROM devices WHERE tags.x = ", 38, null, "found the end of the query")]
    [InlineData("SELECT * FROM devices WHERE tags.x = 1 tags.y", 40, "tags", "expected AND, OR, GROUP BY or the end of the query after the WHERE condition")]
    [InlineData("SELECT * FROM devices WHERE tags.x = 1 = 2", 40, "=", "expected AND, OR, GROUP BY or the end of the query")]
    [InlineData("SELECT * FROM devices WHERE (tags.x = 1", 40, null, "expected ')' to close the '(' at position 29")]
    [InlineData("SELECT * FROM devices WHERE tags.", 34, null, "expected a property name after '.'")]
    [InlineData("SELECT * FROM devices WHERE tags.group = 'a'", 34, "group", "'group' is a reserved word; to use it as a property name write [[group]]")]
    [InlineData("SELECT * FROM devices WHERE tags.x IN ('a')", 39, "(", "expected an array constant such as ['a', 'b'] after IN")]
    [InlineData("SELECT * FROM devices WHERE tags.x IN ['a' 'b']", 44, "'b'", "expected ',' or ']' in the array constant opened at position 39")]
    [InlineData("SELECT * FROM devices WHERE STARTSWITH(deviceId 'x')", 49, "'x'", "expected ',' or ')' in the arguments of STARTSWITH")]
    [InlineData("SELECT * FROM devices GROUP deviceId", 29, "deviceId", "expected BY after GROUP")]
    [InlineData("SELECT COUNT() FROM devices GROUP BY tags.x tags.y", 45, "tags", "expected ',' or the end of the query after GROUP BY")]
    [InlineData("SELECT deviceId AS FROM devices", 20, "FROM", "expected a name after AS")]
    [InlineData("SELECT * FROM devices;", 22, ";", "unexpected character ';'")]
    [InlineData("SELECT * FROM devices WHERE tags.x = 'abc", 38, "'", "unterminated string: the ' opened here is never closed")]
    [InlineData("SELECT * FROM devices WHERE tags.x = \"abc\\", 38, "\"", "unterminated string")]
    [InlineData(@"SELECT * FROM devices WHERE tags.x = 'a\qb'", 40, @"\q", @"invalid escape '\q'")]
    [InlineData(@"SELECT * FROM devices WHERE tags.x = '\u12'", 39, @"\u12'", @"\u must be followed by four hex digits")]
    [InlineData(@"SELECT * FROM devices WHERE tags.x = '\u12G4'", 39, @"\u12G4", @"\u must be followed by four hex digits")]
    [InlineData("SELECT * FROM devices WHERE tags.x = 0x", 38, "0x", "invalid hexadecimal number")]
    [InlineData("SELECT * FROM devices WHERE tags.x = 0x10000000000000000", 38, "0x10000000000000000", "invalid hexadecimal number")]
    [InlineData("SELECT * FROM devices WHERE tags.x = 1e", 38, "1e", "the exponent has no digits")]
    [InlineData("SELECT * FROM devices WHERE tags.x = 1e999", 38, "1e999", "number out of range")]
    [InlineData("SELECT * FROM devices WHERE tags.1st = 1", 34, "1st", "a name cannot start with a digit; write [[name]]")]
    [InlineData("SELECT * FROM devices WHERE tags.[[x = 1", 34, "[[", "the [[ opened here has no matching ]]")]
    [InlineData("SELECT * FROM devices WHERE tags.[[]] = 1", 34, "[[]]", "empty name")]
    [InlineData("SELECT * FROM devices WHERE tags.x = @p", 38, "@", "unexpected character '@'")]
    [InlineData("SELECT * FROM devices WHERE tags.x ! 1", 36, "!", "unexpected character '!'")]
    public void Errors_say_where_what_and_why(string query, int position, string? token, string message)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(query));

        Assert.Contains(message, error.Message);
        Assert.Equal(position, error.Position);
        Assert.Equal(token, error.Token);
        Assert.Equal(query, error.QueryText);
    }

    [Fact]
    public void Null_query_is_a_syntax_error_not_a_null_reference()
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(null!));

        Assert.Contains("the query is empty", error.Message);
    }

    [Fact]
    public void Multi_line_queries_report_line_and_column()
    {
        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse("SELECT *\nFROM devices\nWHERE tags.x = = 1"));

        Assert.Equal(3, error.Line);
        Assert.Equal(16, error.Column);
        Assert.Equal(38, error.Position);
        Assert.Contains("at position 38 (line 3, column 16), found '='", error.Message);
    }

    [Fact]
    public void Queries_up_to_8192_characters_are_accepted_and_longer_ones_rejected()
    {
        const string head = "SELECT * FROM devices WHERE deviceId = 'x'";
        var longest = head + new string(' ', QueryParser.MaxQueryLength - head.Length);
        Assert.Equal(8192, longest.Length);
        Assert.NotNull(QueryParser.Parse(longest));

        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.Parse(longest + " "));
        Assert.Contains("the query is 8193 characters long; IoT Hub accepts at most 8192", error.Message);
        Assert.Equal(8193, error.Position);

        Assert.Throws<QuerySyntaxException>(() => QueryParser.ParseCondition(new string('1', 9000)));
    }

    [Fact]
    public void Nesting_up_to_the_limit_parses_and_deeper_is_a_clear_error()
    {
        // The WHERE expression is level 1; each parenthesis adds one.
        var deepest = $"SELECT * FROM devices WHERE {new string('(', 63)}true{new string(')', 63)}";
        Assert.True(QueryParser.Parse(deepest).Matches(TestSupport.Doc("{}")));

        var error = Assert.Throws<QuerySyntaxException>(() =>
            QueryParser.Parse($"SELECT * FROM devices WHERE {new string('(', 64)}true{new string(')', 64)}"));
        Assert.Contains("nested too deeply (at most 64 levels", error.Message);
        Assert.Equal(29 + 63, error.Position); // the 64th '('
        Assert.Equal("(", error.Token);
    }

    [Theory]
    [InlineData("(", "")]
    [InlineData("NOT ", "")]
    [InlineData("-", "")]
    [InlineData("ABS(", ")")]
    [InlineData("[ ", " ]")]
    public void Pathological_nesting_never_overflows_the_stack(string open, string close)
    {
        var count = (QueryParser.MaxQueryLength - 40) / (open.Length + close.Length);
        var body = string.Concat(Enumerable.Repeat(open, count)) + "1" + string.Concat(Enumerable.Repeat(close, count));

        var error = Assert.Throws<QuerySyntaxException>(() => QueryParser.ParseCondition(body));

        Assert.Contains("nested too deeply", error.Message);
    }

    [Fact]
    public void Long_flat_chains_are_not_nesting()
    {
        var sum = string.Join(" + ", Enumerable.Repeat("1", 1500));
        var ands = string.Join(" AND ", Enumerable.Repeat("true", 900));

        Assert.True(QueryParser.ParseCondition($"{sum} = 1500").Matches(TestSupport.Doc("{}")));
        Assert.True(QueryParser.ParseCondition(ands).Matches(TestSupport.Doc("{}")));
    }

    [Fact]
    public void Try_parse_reports_instead_of_throwing()
    {
        Assert.True(QueryParser.TryParse("SELECT * FROM devices", out var query, out var none));
        Assert.NotNull(query);
        Assert.Null(none);

        Assert.False(QueryParser.TryParse("SELECT * FROM", out var nothing, out var error));
        Assert.Null(nothing);
        Assert.IsType<QuerySyntaxException>(error);
    }
}
