/*
 * fmt_presets.c -- the named formats: one table that `--format NAME`, `modeler formats`
 * and `--format auto` all read, so adding a preset touches this table only.
 *
 * The order is the order `auto` tries them; a tie in parsed share goes to the earlier one,
 * which is why the stricter of two formats that read the same lines comes first: the Apache
 * presets before combined (combined reads any time shape and a trailing number as seconds,
 * so it would take an apache-usec line with %D as seconds), combined before common (a
 * combined line also parses as common, with its tail ignored).
 *
 * Field lists come from each vendor's documentation of its default or usual fields:
 * Caddy v2 `log` (JSON encoder), Traefik v2/v3 access log in JSON, Envoy as Istio
 * configures its JSON access log, and the field names people give nginx's escape=json.
 */
#include "fmt_internal.h"

static const logfmt_preset lf_presets[] = {
    {"apache-vhost", "apache:%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"",
     "Debian's vhost_combined (other_vhosts_access.log)"},
    {"apache-usec",
     "apache:%h %l %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] \"%r\" %>s %b \"%{Referer}i\" "
     "\"%{User-Agent}i\" %D",
     "Apache with microsecond times and %D (microseconds) as the request time"},
    {"traefik-clf",
     "apache:%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %k \"%v\" \"%V\" "
     "%{ms}Tms",
     "Traefik's default access log (CLF + request count, router, server, duration in ms)"},
    {"envoy-text",
     "apache:[%t] \"%r\" %>s %X %I %b %{ms}T %{x-envoy-upstream-service-time}o \"%a\" "
     "\"%{User-Agent}i\" \"%{X-Request-Id}i\" \"%v\" \"%V\"",
     "Envoy's default text access log; the client is X-Forwarded-For; %DURATION% in ms"},
    {"combined",
     "$remote_addr $remote_ident $remote_user [$time_local] \"$request\" $status "
     "$body_bytes_sent \"$http_referer\" \"$http_user_agent\"",
     "Apache/nginx combined; a trailing number is read as $request_time (seconds)"},
    {"common",
     "$remote_addr $remote_ident $remote_user [$time_local] \"$request\" $status $body_bytes_sent",
     "NCSA common log format (no referer, no user agent)"},
    {"nginx-json",
     "json:time=msec|time_iso8601|time_local|time|@timestamp,ip=remote_addr|client_ip,"
     "request=request,method=request_method|method,path=request_uri|uri|path,query=args,"
     "status=status,bytes=body_bytes_sent|bytes_sent,ua=http_user_agent|user_agent,"
     "request_time=request_time:s",
     "nginx log_format escape=json with the variables' own names"},
    {"caddy",
     "json:time=ts,ip=request.client_ip|request.remote_ip,method=request.method,"
     "path=request.uri,status=status,bytes=size,ua=request.headers.User-Agent[0],"
     "request_time=duration:s",
     "Caddy v2 access log (JSON encoder); duration in seconds"},
    {"traefik",
     "json:time=StartUTC|StartLocal|time,ip=ClientHost,method=RequestMethod,path=RequestPath,"
     "status=DownstreamStatus|OriginStatus,bytes=DownstreamContentSize,"
     "ua=request_User-Agent,request_time=Duration:ns",
     "Traefik access log, format json; Duration in nanoseconds"},
    {"envoy",
     "json:time=start_time,ip=downstream_remote_address|x_forwarded_for,method=method,"
     "path=path,status=response_code,bytes=bytes_sent,ua=user_agent,request_time=duration:ms",
     "Envoy JSON access log with Istio's field names; duration in milliseconds"},
    {"w3c", "w3c",
     "W3C extended (IIS, CloudFront): fields from each #Fields: line; time-taken in ms for IIS, "
     "seconds otherwise"},
    {"alb", "alb",
     "AWS Application Load Balancer; request time = request + target + response processing"},
    {"haproxy", "haproxy",
     "HAProxy option httplog (syslog prefix optional); Ta (total active time, ms)"},
};

const logfmt_preset *logfmt_preset_at(size_t i)
{
    return i < sizeof lf_presets / sizeof lf_presets[0] ? &lf_presets[i] : NULL;
}
