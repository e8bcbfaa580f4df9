using System.Text.Json.Nodes;

namespace CIOPulse.Api.OpenApi;

/// <summary>The examples of the API document: the article's sample survey, as posted, listed and delivered (docs/api.md).</summary>
public static class ApiExamples
{
    /// <summary>The sample completion the survey app posts.</summary>
    public const string SurveyCompletion = """
        {
          "Listening_Post": "Transactional",
          "Response_ID": "3690",
          "Response_Datetime_UTC": "2021-07-29 07:50:52",
          "Ticket_ID": "INC123456",
          "Support_Group_Code": "SDESK",
          "Support_Group_Name": "Service Desk",
          "Agent_ID": "adam.agent",
          "Segment_Code": "NZ",
          "Segment_Name": "New Zealand",
          "Segment_2_Code": "NONE",
          "Segment_2_Name": "No Segment",
          "Customer": "carole.customer",
          "Overall": 9,
          "Selected_Factors": ["Responsiveness"],
          "Comments": "You guys rock!",
          "Survey_Description": "Survey for DemoCorp",
          "Survey_Language": "English"
        }
        """;

    /// <summary>A page of the Webhook Log holding that completion's webhook, delivered at the first attempt.</summary>
    public const string LogPage = """
        {
          "items": [
            {
              "webhookId": "0f2efe1c678b0",
              "responseId": "3690",
              "listeningPost": "Transactional",
              "lastActivityUtc": "2026-12-03T09:41:07.221Z",
              "lastResponseCode": 200,
              "lastResponse": "ok",
              "attempts": 1,
              "status": "Succeeded",
              "test": false
            }
          ],
          "nextCursor": null
        }
        """;

    /// <summary>The answer to a test webhook whose receiver answered 500.</summary>
    public const string TestWebhook = """
        {
          "webhookId": "5c1f0a9d3e7b2",
          "succeeded": false,
          "responseCode": 500,
          "response": "{\"error\":\"database unavailable\"}",
          "durationMs": 84,
          "failure": "HttpServerError",
          "error": null
        }
        """;

    /// <summary>The body the account's receiver gets for that completion (sent as one compact line).</summary>
    public const string WebhookPayload = """
        {
          "Webhook_ID": "0f2efe1c678b0",
          "Response_ID": "3690",
          "Response_Datetime_UTC": "2021-07-29 07:50:52",
          "Ticket_ID": "INC123456",
          "Support_Group_Code": "SDESK",
          "Support_Group_Name": "Service Desk",
          "Agent_ID": "adam.agent",
          "Segment_Code": "NZ",
          "Segment_Name": "New Zealand",
          "Segment_2_Code": "NONE",
          "Segment_2_Name": "No Segment",
          "Customer": "carole.customer",
          "Responsiveness": "1",
          "Interpersonal": "0",
          "Knowledge": "0",
          "Communication": "0",
          "Speed": "0",
          "Confirmation": "0",
          "Effort": "0",
          "Other": "0",
          "Overall": "9",
          "Comments": "You guys rock!",
          "SR_Notes_URL": "https://app.cio-pulse.com/service-recovery-notes?id=3690",
          "Survey_Description": "Survey for DemoCorp",
          "Survey_Language": "English"
        }
        """;

    public static JsonNode Parse(string json) => JsonNode.Parse(json)!;
}
