-- «Kết quả đánh giá, xếp loại tổ chức cơ sở đảng» in the layout of Biểu 03, from the loaded data (issue 30): the
-- grassroots organisations — đảng bộ cơ sở by their own rating, chi bộ cơ sở — of the unit-years whose return
-- describes them (int_grassroots_org.described), per unit, year and kind. No published table stands behind it.
-- Grain: year × unit_code × org_kind.
select
    year,
    unit_code,
    org_kind,
    count(*) as total,
    count(rating) as rated,
    count(*) filter (where rating = 'xs') as excellent,
    count(*) filter (where rating = 'tot') as good,
    count(*) filter (where rating = 'ht') as completed,
    count(*) filter (where rating = 'kht') as not_completed
from int_grassroots_org
where described
group by year, unit_code, org_kind
