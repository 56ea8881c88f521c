-- Chinook query set for `datagen plans` (syntax: docs/datagen/plans.md): joins, filters on skewed
-- columns, ORDER BY ... LIMIT. Parameters are sampled per database from its statistics.

-- query: tracks_by_genre
-- Genre is skewed (Rock is about a third of all tracks).
-- $1: track.genre_id
SELECT t.name, a.title FROM track t JOIN album a ON a.album_id = t.album_id
WHERE t.genre_id = $1 ORDER BY t.name LIMIT 20;

-- query: sales_of_track
-- $1: invoice_line.track_id
SELECT il.invoice_id, il.quantity FROM invoice_line il WHERE il.track_id = $1;

-- query: customer_recent_invoices
-- $1: invoice.customer_id
SELECT i.invoice_id, i.total FROM invoice i WHERE i.customer_id = $1
ORDER BY i.invoice_date DESC LIMIT 5;

-- query: artists_by_media_type
-- Media type is very skewed (MPEG audio dominates).
-- $1: track.media_type_id
SELECT ar.name, count(*) FROM artist ar
JOIN album al ON al.artist_id = ar.artist_id
JOIN track t ON t.album_id = al.album_id
WHERE t.media_type_id = $1 GROUP BY ar.name ORDER BY count(*) DESC LIMIT 10;

-- query: playlist_listing
-- One playlist holds most tracks; others a handful.
-- $1: playlist_track.playlist_id
SELECT t.name FROM playlist_track pt JOIN track t ON t.track_id = pt.track_id
WHERE pt.playlist_id = $1 ORDER BY t.name LIMIT 50;

-- query: album_tracks
-- $1: track.album_id
SELECT t.track_id, t.name, t.milliseconds FROM track t WHERE t.album_id = $1
ORDER BY t.track_id;

-- query: invoices_since
-- $1: invoice.invoice_date
SELECT invoice_id, total FROM invoice WHERE invoice_date >= $1
ORDER BY invoice_date LIMIT 20;
