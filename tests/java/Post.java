// POSTs a body with Java's own HTTP client, as Apache Jena does: its first request on a plain
// http:// connection offers an upgrade to HTTP/2 (Connection: Upgrade, HTTP2-Settings; Upgrade: h2c).
// Usage: java Post.java URL CONTENT-TYPE BODY ACCEPT  -> prints the status, a newline, the body.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class Post {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0]))
                .header("Content-Type", args[1])
                .header("Accept", args[3])
                .POST(HttpRequest.BodyPublishers.ofString(args[2]))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode());
        System.out.print(response.body());
    }
}
